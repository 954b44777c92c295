import { defineConfig } from 'vitest/config';

// Tests run against the real PostgreSQL and Redis: each test file gets its own database (copied
// from a migrated template) and its own Redis key prefix, so files run in parallel safely.
// Slow fault tests (test/slow: real processes killed, services stopped and restarted) run only
// under `npm run test:slow`, which sets SLOW_TESTS=1; CI runs both.
const slow = Boolean(process.env.SLOW_TESTS);
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: slow ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/slow/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
