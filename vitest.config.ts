import { defineConfig } from 'vitest/config';

// Unit and integration tests: Node environment by default; React component tests opt into
// happy-dom with a `// @vitest-environment happy-dom` comment. The browser suite has its own config.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests never load the real `electron` package (it would try to download its binary).
    alias: { electron: new URL('./test/support/electron-stand-in.ts', import.meta.url).pathname },
  },
});
