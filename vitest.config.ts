import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: end-to-end tests start real processes, so keep parallelism modest.
    maxWorkers: 2,
  },
});
