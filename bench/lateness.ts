import type { Benchmark } from './context.js';
export const lateness: Benchmark = async () => [];
