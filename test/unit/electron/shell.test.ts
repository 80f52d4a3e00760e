/**
 * The Electron composition root, run against a stand-in of the `electron` module (the real binary
 * cannot be loaded in tests): what the one window is built with, what the app:// protocol serves,
 * the default-deny handlers, and the refusal to show a window whose hardening drifted.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isStrictCsp } from '../../../src/main/host/csp';

const state = vi.hoisted(() => ({
  report: { sandboxed: true, contextIsolated: true } as unknown,
  appPath: '',
  windows: [] as Array<Record<string, unknown>>,
  protocolHandler: null as null | ((request: Request) => Promise<Response>),
  ipcListeners: new Map<string, (event: unknown, payload: unknown) => void>(),
  permissionRequest: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
  permissionCheck: null as null | ((...args: unknown[]) => boolean),
  openExternal: [] as string[],
  errorBoxes: [] as string[],
  exited: null as number | null,
}));

vi.mock('electron', () => {
  class BrowserWindow {
    readonly options: Record<string, unknown>;
    shown = false;
    destroyed = false;
    readonly handlers = new Map<string, (...args: unknown[]) => void>();
    openHandler: ((details: { url: string }) => { action: string }) | null = null;
    readonly mainFrame = { url: 'app://nome/index.html', parent: null };
    readonly webContents = {
      id: 1,
      mainFrame: this.mainFrame,
      on: (name: string, fn: (...args: unknown[]) => void) => void this.handlers.set(name, fn),
      setWindowOpenHandler: (fn: (details: { url: string }) => { action: string }) => void (this.openHandler = fn),
      send: vi.fn(),
    };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      state.windows.push(this as unknown as Record<string, unknown>);
    }
    async loadURL(): Promise<void> {
      // What the real preload does on load: report the renderer it runs in.
      state.ipcListeners.get('nome:report:hardening')?.({ sender: this.webContents, senderFrame: this.mainFrame }, state.report);
    }
    show() {
      this.shown = true;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  return {
    app: {
      whenReady: async () => {},
      enableSandbox: () => {},
      getAppPath: () => state.appPath,
      getPath: () => path.join(state.appPath, 'user-data'),
      on: () => {},
      quit: () => {},
      exit: (code: number) => void (state.exited = code),
    },
    BrowserWindow,
    ipcMain: {
      handle: () => {},
      on: (channel: string, fn: (event: unknown, payload: unknown) => void) => void state.ipcListeners.set(channel, fn),
      removeListener: (channel: string) => void state.ipcListeners.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: () => {},
      handle: (_scheme: string, fn: (request: Request) => Promise<Response>) => void (state.protocolHandler = fn),
    },
    net: { fetch: (url: string) => state.protocolHandler!(new Request(url)) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof state.permissionRequest) => void (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: typeof state.permissionCheck) => void (state.permissionCheck = fn),
      },
    },
    shell: { openExternal: async (url: string) => void state.openExternal.push(url) },
    dialog: { showErrorBox: (_title: string, text: string) => void state.errorBoxes.push(text) },
  };
});

async function startShell(): Promise<Record<string, unknown> & { shown: boolean; destroyed: boolean }> {
  vi.resetModules();
  await import('../../../src/main/electron/index');
  await vi.waitFor(() => {
    const win = state.windows.at(-1) as { shown: boolean; destroyed: boolean } | undefined;
    if (!win || (!win.shown && !win.destroyed)) throw new Error('window not settled yet');
  });
  return state.windows.at(-1) as never;
}

beforeEach(() => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nome-shell-'));
  mkdirSync(path.join(root, 'out', 'renderer'), { recursive: true });
  writeFileSync(path.join(root, 'out', 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(root, 'secret.txt'), 'do not serve');
  Object.assign(state, { appPath: root, windows: [], errorBoxes: [], openExternal: [], exited: null });
  state.report = { sandboxed: true, contextIsolated: true };
});

describe('Electron shell', () => {
  it('opens one hardened window, served over app:// with a strict CSP header', async () => {
    const win = (await startShell()) as unknown as { options: { webPreferences: Record<string, unknown> }; shown: boolean };
    expect(win.shown).toBe(true);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    const response = await state.protocolHandler!(new Request('app://nome/index.html'));
    expect(response.status).toBe(200);
    expect(isStrictCsp(response.headers.get('content-security-policy') ?? '')).toBe(true);
  });

  it('does not serve files outside the renderer through app://', async () => {
    await startShell();
    for (const url of ['app://nome/../secret.txt', 'app://nome/%2e%2e/secret.txt', 'app://nome/..%2fsecret.txt', 'app://other/index.html']) {
      expect((await state.protocolHandler!(new Request(url))).status, url).toBe(404);
    }
  });

  it('denies permission requests and checks by default', async () => {
    await startShell();
    const answers: boolean[] = [];
    state.permissionRequest!({}, 'media', (ok) => answers.push(ok));
    state.permissionRequest!({}, 'notifications', (ok) => answers.push(ok));
    expect(answers).toEqual([false, false]);
    expect(state.permissionCheck!({}, 'clipboard-read')).toBe(false);
  });

  it('denies new windows and navigation, opening only external https links in the system browser', async () => {
    const win = (await startShell()) as unknown as {
      openHandler: (d: { url: string }) => { action: string };
      handlers: Map<string, (event: { preventDefault(): void }, url: string) => void>;
    };
    expect(win.openHandler({ url: 'https://docs.example.com/' })).toEqual({ action: 'deny' });
    expect(win.openHandler({ url: 'http://plain.example.com/' })).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      let prevented = false;
      win.handlers.get('will-navigate')!({ preventDefault: () => void (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://nome/index.html')).toBe(false);
    expect(state.openExternal).toEqual(['https://docs.example.com/', 'https://evil.example/']);
  });

  it('refuses to show a window whose renderer is not sandboxed', async () => {
    state.report = { sandboxed: false, contextIsolated: true };
    const win = await startShell();
    expect(win.destroyed).toBe(true);
    expect(win.shown).toBe(false);
    expect(state.errorBoxes.join('\n')).toContain('the renderer is not sandboxed');
    await vi.waitFor(() => expect(state.exited).toBe(1));
  });

  it('refuses to show a window when the preload reports a malformed payload', async () => {
    state.report = { sandboxed: 'yes' };
    const win = await startShell();
    expect(win.destroyed).toBe(true);
    expect(state.errorBoxes.join('\n')).toContain('the preload did not report');
  });
});
