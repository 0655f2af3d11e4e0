import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build-cli.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: one test file per core; tfjs work inside a file is single-threaded JS anyway.
    pool: 'forks',
    maxWorkers: 2,
  },
});
