import { defineConfig } from 'vitest/config';

// Tests run against the real PostgreSQL and Redis: each test file gets its own database (copied
// from a migrated template) and its own Redis key prefix, so files run in parallel safely.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
