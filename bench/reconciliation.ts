import type { Benchmark } from './context.js';
export const reconciliation: Benchmark = async () => [];
