/**
 * The Electron composition root: the one window, the app:// protocol, IPC and the self-check.
 *
 * Runtime: Electron main. The only code in src/main that imports `electron` lives in this folder.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import { createServices } from '../host/services';
import { contentSecurityPolicy } from '../host/csp';
import { contentType, resolveStatic } from '../host/static';
import { eventChannel, reportChannel, reports } from '../../shared/contract';
import { registerIpc } from './ipc';
import { senderProblem } from './ipc';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  classifyNavigation,
  hardenedWebPreferences,
  hardeningDrift,
  type RuntimeReport,
} from './hardening';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

/** The workspace the app opens: `--workspace DIR` (or `=DIR`) on the command line, else `$NOME_WORKSPACE`. */
export function workspaceFromArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--workspace' && argv[i + 1]) return path.resolve(argv[i + 1]!);
    if (arg.startsWith('--workspace=')) return path.resolve(arg.slice('--workspace='.length));
  }
  return env.NOME_WORKSPACE ? path.resolve(env.NOME_WORKSPACE) : null;
}

const rendererRoot = () => path.join(app.getAppPath(), 'out', 'renderer');

async function serveApp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = url.host === APP_HOST ? resolveStatic(rendererRoot(), url.pathname) : null;
  if (!file) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': contentType(file),
        'content-security-policy': contentSecurityPolicy(),
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

/** Waits for the preload's report of the renderer it runs in; null if none arrives in time. */
function runtimeReport(win: BrowserWindow, timeoutMs = 10_000): Promise<RuntimeReport | null> {
  return new Promise((resolve) => {
    const channel = reportChannel('hardening');
    const timer = setTimeout(() => finish(null), timeoutMs);
    const listener = (event: Electron.IpcMainEvent, payload: unknown) => {
      if (senderProblem(event, win.webContents.id)) return;
      const parsed = reports.hardening.safeParse(payload);
      finish(parsed.success ? parsed.data : null);
    };
    const finish = (report: RuntimeReport | null) => {
      clearTimeout(timer);
      ipcMain.removeListener(channel, listener);
      resolve(report);
    };
    ipcMain.on(channel, listener);
  });
}

async function openMainWindow(): Promise<BrowserWindow> {
  const webPreferences = hardenedWebPreferences(path.join(__dirname, '../preload/index.js'));
  const win = new BrowserWindow({ width: 1280, height: 820, show: false, title: 'NOME Desktop', webPreferences });
  win.webContents.on('will-navigate', (event, url) => {
    if (classifyNavigation(url) === 'app') return;
    event.preventDefault();
    if (classifyNavigation(url) === 'external') void shell.openExternal(url);
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (classifyNavigation(url) === 'external') void shell.openExternal(url);
    return { action: 'deny' };
  });

  // Self-check before the window is shown: the settings it was built with, what its preload sees
  // from inside, and the CSP header the renderer is actually served with.
  const report = runtimeReport(win);
  const served = await net.fetch(`${APP_ORIGIN}/index.html`);
  await win.loadURL(`${APP_ORIGIN}/index.html`);
  const drift = hardeningDrift(webPreferences, await report, served.headers.get('content-security-policy'));
  if (drift.length) {
    win.destroy();
    dialog.showErrorBox('NOME refused to open its window', drift.join('\n'));
    throw new Error(`hardening drift: ${drift.join('; ')}`);
  }
  win.show();
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  const deny = () => false;
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(deny);
  protocol.handle(APP_SCHEME, serveApp);

  const services = await createServices({
    host: 'electron',
    workspace: workspaceFromArgv(process.argv),
    dataDir: process.env.NOME_HOME ?? app.getPath('userData'),
    versions: { node: process.versions.node, electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
  });
  let win: BrowserWindow | null = null;
  registerIpc(ipcMain, services.handlers, () => win?.webContents.id ?? -1);
  win = await openMainWindow();
  const connectionId = `webContents:${win.webContents.id}`;
  services.attach(connectionId, (name, payload) => win?.webContents.send(eventChannel(name), payload));
  win.webContents.on('did-finish-load', () => win?.webContents.send(eventChannel('hello'), services.hello()));
  win.webContents.send(eventChannel('hello'), services.hello());

  app.on('window-all-closed', () => {
    void services.close().finally(() => app.quit());
  });
}

app.enableSandbox();
start().catch((error: unknown) => {
  console.error(error);
  app.exit(1);
});
