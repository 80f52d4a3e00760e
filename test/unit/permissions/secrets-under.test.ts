/** secretsUnder: every noAccess entry of a tree, for the sandbox to hide. */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPermissionGateway } from '../../../src/main/permissions';

function setup() {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nome-secrets-')));
  const home = path.join(root, 'home');
  const ws = path.join(root, 'ws');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'KEY');
  mkdirSync(path.join(ws, 'a', 'b'), { recursive: true });
  writeFileSync(path.join(ws, '.env'), 'S=1');
  writeFileSync(path.join(ws, 'a', 'b', '.env.local'), 'S=2');
  writeFileSync(path.join(ws, 'a', 'server.pem'), 'PEM');
  writeFileSync(path.join(ws, 'a', 'readme.md'), 'ok');
  mkdirSync(path.join(ws, 'secrets'));
  writeFileSync(path.join(ws, 'secrets', 'x.txt'), 'x');
  mkdirSync(path.join(ws, '.nome'));
  writeFileSync(path.join(ws, '.nome', 'permissions.json'), JSON.stringify({ rules: [{ pattern: 'secrets/', level: 'noAccess' }] }));
  symlinkSync(path.join(home, '.ssh', 'id_rsa'), path.join(ws, 'key-link'));
  const env = { HOME: home, NOME_HOME: path.join(root, 'data'), NOME_MANAGED_POLICY: path.join(root, 'managed.json') };
  return { ws, home, gateway: createPermissionGateway({ workspace: ws, env, home }) };
}

describe('secretsUnder', () => {
  it('lists every noAccess entry at any depth; a noAccess directory whole; symlinks to secrets', () => {
    const { ws, gateway } = setup();
    const result = gateway.secretsUnder(ws);
    expect(result.complete).toBe(true);
    expect([...result.paths].sort()).toEqual(
      [path.join(ws, '.env'), path.join(ws, 'a', 'b', '.env.local'), path.join(ws, 'a', 'server.pem'), path.join(ws, 'key-link'), path.join(ws, 'secrets')].sort(),
    );
  });

  it('is empty and complete for a directory without secrets, and for a missing one', () => {
    const { ws, gateway } = setup();
    expect(gateway.secretsUnder(path.join(ws, 'a', 'b', 'nothing-here'))).toEqual({ paths: [], complete: true, reason: null });
  });
});
