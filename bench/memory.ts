import type { Benchmark } from './context.js';
export const memory: Benchmark = async () => [];
