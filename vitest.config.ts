import { defineConfig } from 'vitest/config';

// CI runs with CI=true, and Ink (is-in-ci, read at import) then renders nothing until unmount. The
// console tests drive the console as an operator's terminal runs it, so the test processes (and the
// consoles they start) must not look like CI.
for (const key of Object.keys(process.env)) if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/support/tmpRoot.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: end-to-end tests start real processes, so keep parallelism modest.
    maxWorkers: 2,
  },
});
