/** What the sandbox hides outside the workspace, as data (sandbox/view.ts). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposeSetting, privateAreas, toolchainPaths } from '../../../src/main/sandbox';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nome-view-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('private areas', () => {
  it('hide homes, runtime state, variable data and mounts, and every unknown top-level directory', () => {
    const areas = privateAreas(['/home/u', '/opt/odd-home/u'], 'linux', () => ['bin', 'usr', 'etc', 'opt', 'home', 'root', 'run', 'var', 'tmp', 'work', 'data', 'nix']);
    for (const p of ['/home', '/root', '/run', '/var', '/mnt', '/media', '/srv', '/work', '/data', '/opt/odd-home/u']) expect(areas).toContain(p);
    for (const p of ['/bin', '/usr', '/etc', '/opt', '/nix', '/tmp', '/home/u', '/']) expect(areas).not.toContain(p);
  });
  it('on macOS: /Users, /Volumes and the runtime directories', () => {
    expect(privateAreas(['/Users/u'], 'darwin', () => [])).toEqual(expect.arrayContaining(['/Users', '/Volumes', '/private/var/run']));
  });
  it('toolchains are named relative to each home', () => {
    const paths = toolchainPaths(['/h']);
    expect(paths).toEqual(expect.arrayContaining(['/h/.cargo', '/h/.rustup', '/h/.pyenv', '/h/.gitconfig']));
    expect(paths).not.toContain('/h/.ssh');
  });
});

describe('"sandbox": {"expose": [...]} in the user and managed layers', () => {
  const env = (dir: string) => ({ NOME_HOME: path.join(dir, 'data'), NOME_MANAGED_POLICY: path.join(dir, 'managed.json'), HOME: path.join(dir, 'home') });
  it('reads absolute and ~/ paths; reports and ignores anything else, with file:line', () => {
    const dir = path.join(root, 'a');
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'data', 'permissions.json'), JSON.stringify({ sandbox: { expose: ['~/.sdkman', '/data/models', 'relative', '/a/../etc', 7, '/'] } }, null, 1));
    writeFileSync(path.join(dir, 'managed.json'), JSON.stringify({ sandbox: { expose: '/not-an-array' } }));
    const setting = exposeSetting(path.join(dir, 'home'), env(dir));
    expect(setting.paths).toEqual([path.join(dir, 'home', '.sdkman'), '/data/models']);
    expect(setting.errors).toHaveLength(5);
    expect(setting.errors.join('\n')).toMatch(/managed\.json:1: "sandbox" must be/);
    expect(setting.errors.join('\n')).toMatch(/permissions\.json:\d+: an exposed path must be absolute/);
    expect(setting.errors.join('\n')).toMatch(/"\/" cannot be exposed/);
  });
  it('a workspace layer cannot expose anything (a cloned repository must not widen its sandbox)', () => {
    const dir = path.join(root, 'b');
    mkdirSync(path.join(dir, 'ws', '.nome'), { recursive: true });
    writeFileSync(path.join(dir, 'ws', '.nome', 'permissions.json'), JSON.stringify({ sandbox: { expose: ['~/.ssh'] } }));
    expect(exposeSetting(path.join(dir, 'home'), env(dir)).paths).toEqual([]);
  });
});
