import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for every process. `out/main` holds the Electron entry (index.js) and the plain-Node
// `nome` CLI (nome.js); the preload is bundled whole as CommonJS because a sandboxed preload can
// neither be an ES module nor require anything but Electron's renderer modules.
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/index.ts'),
          nome: resolve(__dirname, 'src/cli/nome.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      rolldownOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
});
