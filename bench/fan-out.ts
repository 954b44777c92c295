import type { Benchmark } from './context.js';
export const fanOut: Benchmark = async () => [];
