/**
 * The cached index of protected entries (permissions/protected.ts): what it finds, that watchers
 * keep it fresh without a walk per question, and that it says so when it cannot be trusted.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPermissionGateway, ProtectedIndex, type PermissionGateway } from '../../../src/main/permissions';

let root: string;
let ws: string;
let gateway: PermissionGateway;
const indexes: ProtectedIndex[] = [];

function index(opts: Partial<ConstructorParameters<typeof ProtectedIndex>[1]> = {}, dir = ws): ProtectedIndex {
  const made = new ProtectedIndex(dir, { levelOf: (p, isDir) => gateway.levelOf(p, isDir), readOnly: true, names: ['.git'], linkNamesProtectTargets: true, ...opts });
  indexes.push(made);
  return made;
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nome-protected-'));
  ws = path.join(root, 'ws');
  mkdirSync(path.join(ws, 'src', 'deep'), { recursive: true });
  mkdirSync(path.join(ws, '.git', 'hooks'), { recursive: true });
  writeFileSync(path.join(ws, '.git', 'config'), '[core]\n');
  writeFileSync(path.join(ws, '.env'), 'x');
  writeFileSync(path.join(ws, 'src', 'deep', 'prod.pem'), 'x');
  writeFileSync(path.join(ws, 'src', 'a.ts'), 'x');
  gateway = createPermissionGateway({ workspace: ws, env: { HOME: path.join(root, 'home'), NOME_HOME: path.join(root, 'data'), NOME_MANAGED_POLICY: path.join(root, 'managed.json') }, home: path.join(root, 'home') });
});
afterEach(() => {
  for (const i of indexes.splice(0)) i.close();
  rmSync(root, { recursive: true, force: true });
});

const rel = (paths: string[]) => paths.map((p) => path.relative(ws, p)).sort();

describe('ProtectedIndex', () => {
  it('finds every noAccess entry, every readOnly entry and every .git, and is complete', async () => {
    const entries = await index().fresh();
    expect(entries.complete).toBe(true);
    expect(rel(entries.hide)).toEqual(['.env', 'src/deep/prod.pem']);
    expect(rel(entries.readOnly)).toEqual(['.git/config', '.git/hooks']);
    expect(entries.named.map((n) => [path.relative(ws, n.path), n.dir])).toEqual([['.git', true]]);
  });

  it('does not enter a noAccess directory, and does enter a readOnly one (a noAccess file may sit inside)', async () => {
    mkdirSync(path.join(ws, 'keys', '.ssh'), { recursive: true });
    writeFileSync(path.join(ws, 'keys', '.ssh', 'id_ed25519'), 'x');
    writeFileSync(path.join(ws, '.git', 'hooks', 'deploy.key'), 'x');
    writeFileSync(path.join(ws, '.git', 'hooks', 'pre-commit'), 'x');
    const entries = await index().fresh();
    expect(rel(entries.hide)).toEqual(['.env', '.git/hooks/deploy.key', 'keys/.ssh/id_ed25519', 'src/deep/prod.pem']);
  });

  it('a symbolic link is indexed by its target, except that a protected name protects what it points to', async () => {
    symlinkSync('.env', path.join(ws, 'notes.txt'));
    symlinkSync('src/a.ts', path.join(ws, 'x.pem'));
    const entries = await index().fresh();
    // notes.txt leads to .env, which is masked where it lies; x.pem names a protected file, so its target (src/a.ts) is masked too.
    expect(rel(entries.hide)).toEqual(['.env', 'src/deep/prod.pem', 'x.pem']);
    // Where commands cannot make links (system directories), a link is indexed by its target only.
    expect(rel((await index({ linkNamesProtectTargets: false }).fresh()).hide)).toEqual(['.env', 'src/deep/prod.pem']);
  });

  it('a directory whose path is too long to stat makes the index incomplete, and it heals when that is gone', async () => {
    const i = index();
    expect((await i.fresh()).complete).toBe(true);
    const here = process.cwd();
    try {
      process.chdir(ws);
      mkdirSync('deep');
      process.chdir('deep');
      for (let n = 0; n < 20; n++) {
        mkdirSync('d'.repeat(250));
        process.chdir('d'.repeat(250));
      }
      writeFileSync('.env', 'x');
    } finally {
      process.chdir(here);
    }
    const broken = await i.fresh();
    expect(broken.complete).toBe(false);
    expect(broken.reason).toMatch(/cannot stat .*ENAMETOOLONG/);
    spawnSync('rm', ['-rf', path.join(ws, 'deep')]); // rm walks by directory handle; Node's rmSync cannot name the depth
    expect((await i.fresh()).complete).toBe(true);
  });

  it('stays fresh through the watchers: files created, removed, renamed, and directories moved in, out and replaced', async () => {
    const i = index();
    expect(rel((await i.fresh()).hide)).toEqual(['.env', 'src/deep/prod.pem']);
    writeFileSync(path.join(ws, 'src', '.env.local'), 'x');
    expect(rel((await i.fresh()).hide)).toEqual(['.env', 'src/.env.local', 'src/deep/prod.pem']);
    rmSync(path.join(ws, '.env'));
    renameSync(path.join(ws, 'src', 'a.ts'), path.join(ws, 'src', 'a.key'));
    expect(rel((await i.fresh()).hide)).toEqual(['src/.env.local', 'src/a.key', 'src/deep/prod.pem']);
    // A directory made elsewhere and moved in: its content is indexed.
    mkdirSync(path.join(root, 'incoming', 'nested'), { recursive: true });
    writeFileSync(path.join(root, 'incoming', 'nested', 'id_rsa'), 'x');
    renameSync(path.join(root, 'incoming'), path.join(ws, 'incoming'));
    expect(rel((await i.fresh()).hide)).toContain('incoming/nested/id_rsa');
    // Moved out: gone.
    renameSync(path.join(ws, 'src', 'deep'), path.join(root, 'deep-out'));
    expect(rel((await i.fresh()).hide)).not.toContain('src/deep/prod.pem');
    // Replaced under the same name by another directory: the new one is indexed.
    renameSync(path.join(ws, 'incoming'), path.join(root, 'old-incoming'));
    mkdirSync(path.join(ws, 'incoming'));
    writeFileSync(path.join(ws, 'incoming', 'server.p12'), 'x');
    const after = rel((await i.fresh()).hide);
    expect(after).toContain('incoming/server.p12');
    expect(after).not.toContain('incoming/nested/id_rsa');
    // A new file in a directory created after the index (watched once it is listed).
    mkdirSync(path.join(ws, 'later', 'er'), { recursive: true });
    await i.fresh();
    writeFileSync(path.join(ws, 'later', 'er', '.env'), 'x');
    expect(rel((await i.fresh()).hide)).toContain('later/er/.env');
  });

  it('answers from the cache while nothing changed (no walk per question)', async () => {
    const i = index();
    const first = await i.fresh();
    const second = await i.fresh();
    expect(second).toBe(first);
  });

  it('is incomplete, with the reason, beyond its entry limit', async () => {
    const entries = await index({ maxEntries: 3 }).fresh();
    expect(entries.complete).toBe(false);
    expect(entries.reason).toMatch(/more than 3 entries/);
  });

  it('hides sockets, and entries others may not read, when asked', async () => {
    const sock = path.join(ws, 'src', 'agent.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(sock, r));
    writeFileSync(path.join(ws, 'src', 'private.txt'), 'x');
    chmodSync(path.join(ws, 'src', 'private.txt'), 0o600);
    mkdirSync(path.join(ws, 'src', 'locked'), { mode: 0o700 });
    try {
      expect(rel((await index().fresh()).hide)).toEqual(['.env', 'src/deep/prod.pem']);
      const entries = await index({ sockets: true, ownerOnly: true }).fresh();
      expect(rel(entries.hide)).toEqual(['.env', 'src/agent.sock', 'src/deep/prod.pem', 'src/locked', 'src/private.txt']);
    } finally {
      server.close();
    }
  });

  it('a missing root is complete and empty; a root that is itself noAccess is hidden whole', async () => {
    expect(await index({}, path.join(root, 'absent')).fresh()).toMatchObject({ hide: [], complete: true });
    mkdirSync(path.join(root, 'home', '.ssh'), { recursive: true });
    writeFileSync(path.join(root, 'home', '.ssh', 'config'), 'x');
    expect((await index({}, path.join(root, 'home', '.ssh')).fresh()).hide).toEqual([path.join(root, 'home', '.ssh', 'config')]);
    writeFileSync(path.join(root, 'prod.pem'), 'x');
    expect((await index({}, path.join(root, 'prod.pem')).fresh()).hide).toEqual([path.join(root, 'prod.pem')]);
  });
});
