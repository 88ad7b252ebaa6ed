import { defineConfig } from 'vitest/config';

// One runner for every workspace. Integration tests talk to a real PostgreSQL (DATABASE_URL, default the
// machine's 127.0.0.1:5432) and to the WeCom emulator started in-process; each test file gets its own
// database (test-support/postgres.ts), so files run in parallel without sharing state.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
