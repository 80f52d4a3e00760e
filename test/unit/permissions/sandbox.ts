/** A throwaway workspace, HOME, NOME_HOME and managed-policy path for permission tests. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPermissionGateway, type GatewayOptions, type PermissionGateway } from '../../../src/main/permissions';

export interface Sandbox {
  root: string;
  ws: string;
  home: string;
  nomeHome: string;
  managed: string;
  env: NodeJS.ProcessEnv;
  /** Writes a file (creating directories) relative to the sandbox root; returns its absolute path. */
  file(rel: string, content?: string): string;
  link(rel: string, target: string): string;
  /** Writes a layer file's `rules` section. */
  layer(which: 'managed' | 'workspace' | 'workspace-local' | 'user', rules: unknown, raw?: string): string;
  gateway(opts?: Partial<GatewayOptions>): PermissionGateway;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nome-perm-')));
  const ws = path.join(root, 'ws');
  const home = path.join(root, 'home');
  const nomeHome = path.join(root, 'nome-home');
  const managed = path.join(root, 'etc', 'managed-policy.json');
  for (const dir of [ws, home, nomeHome]) mkdirSync(dir, { recursive: true });
  const env = { NOME_HOME: nomeHome, NOME_MANAGED_POLICY: managed };
  const at = (rel: string) => (path.isAbsolute(rel) ? rel : path.join(root, rel));
  const layerPath = {
    managed,
    workspace: path.join(ws, '.nome', 'permissions.json'),
    'workspace-local': path.join(ws, '.nome', 'permissions.local.json'),
    user: path.join(nomeHome, 'permissions.json'),
  };
  const s: Sandbox = {
    root,
    ws,
    home,
    nomeHome,
    managed,
    env,
    file(rel, content = '') {
      const p = at(rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
      return p;
    },
    link(rel, target) {
      const p = at(rel);
      mkdirSync(path.dirname(p), { recursive: true });
      symlinkSync(target, p);
      return p;
    },
    layer(which, rules, raw) {
      return s.file(layerPath[which], raw ?? JSON.stringify({ rules }, null, 2));
    },
    gateway(opts = {}) {
      return createPermissionGateway({ workspace: ws, home, env, caseInsensitive: () => false, ...opts });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return s;
}
