import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/isolated-home.ts'],
    // Network runs on real models take seconds on a 2-core CPU; these are limits, not timings.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Engine tests are CPU-bound: running files in parallel only makes each slower.
    fileParallelism: false,
    // electron-store imports `electron`; transformed by vitest (not loaded natively), it sees the mock.
    server: { deps: { inline: ['electron-store'] } },
  },
});
