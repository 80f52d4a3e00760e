import { defineConfig } from 'vitest/config';

// Browser end-to-end suite: Playwright driving Debian's Chromium against a built `nome serve`.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    expect: { poll: { timeout: 15_000 } },
  },
});
