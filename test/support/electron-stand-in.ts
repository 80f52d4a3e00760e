/**
 * Test stand-in for the `electron` package, aliased in vitest.config.ts so that no test ever loads
 * the real package (whose binary cannot be downloaded here). Tests that need behaviour replace
 * these with vi.mock; anything touched without a mock fails loudly.
 */
const missing = (name: string) =>
  new Proxy(
    {},
    {
      get(_target, key) {
        throw new Error(`electron stand-in: ${name}.${String(key)} used without a vi.mock in this test`);
      },
    },
  );

export const app = missing('app');
export const BrowserWindow = missing('BrowserWindow');
export const ipcMain = missing('ipcMain');
export const ipcRenderer = missing('ipcRenderer');
export const contextBridge = missing('contextBridge');
export const protocol = missing('protocol');
export const session = missing('session');
export const shell = missing('shell');
export const net = missing('net');
export const dialog = missing('dialog');
export const safeStorage = missing('safeStorage');
export default {};
