/**
 * Where NOME keeps things, identical for the desktop app and the CLI so both share one data dir.
 *
 * Runtime: plain Node.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Electron's `productName`: its `userData` directory is named after it. */
export const PRODUCT_NAME = 'NOME Desktop';

/** `$NOME_HOME`, else the directory Electron's `app.getPath('userData')` gives for this app. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.NOME_HOME) return path.resolve(env.NOME_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}

/** The package root: the nearest ancestor of this file holding NOME's package.json. */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'electron.vite.config.ts'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find NOME's package root above ${from}`);
    dir = parent;
  }
}

/** The built renderer that both hosts serve. */
export function rendererDir(): string {
  return path.join(packageRoot(), 'out', 'renderer');
}
