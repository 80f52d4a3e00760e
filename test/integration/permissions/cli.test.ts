/** `nome permissions explain` (issue 4, point 8), run in-process through the CLI's command module. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/commands/permissions';
import { UsageError } from '../../../src/cli/usage';
import { sandbox, type Sandbox } from '../../unit/permissions/sandbox';

let s: Sandbox;
let out: string;
let err: string;
beforeEach(() => {
  s = sandbox();
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  for (const [k, v] of Object.entries({ ...s.env, HOME: s.home })) vi.stubEnv(k, v!);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  s.cleanup();
});

describe('nome permissions explain', () => {
  it('--json prints the contract shape and exits 0', async () => {
    s.file('ws/.env');
    expect(await run(['explain', '--workspace', s.ws, '--json', '.env'])).toBe(0);
    const json = JSON.parse(out);
    expect(Object.keys(json)).toEqual(['path', 'level', 'winner', 'matches']);
    expect(json).toMatchObject({
      path: path.join(s.ws, '.env'),
      level: 'noAccess',
      winner: { layer: 'built-in', source: 'built-in', pattern: '.env', level: 'noAccess' },
    });
    expect(json.matches).toHaveLength(1);
  });

  it('a path no rule matches has a null winner', async () => {
    expect(await run(['explain', '--workspace', s.ws, '--json', 'src/a.ts'])).toBe(0);
    expect(JSON.parse(out)).toEqual({ path: path.join(s.ws, 'src/a.ts'), level: 'readWrite', winner: null, matches: [] });
  });

  it('prints the cascade as a table, winner starred, and layer errors on stderr', async () => {
    s.layer('workspace', null, '{"rules": [\n {"pattern": ".env", "level": "readOnly"},\n {"pattern": "x", "level": "nope"}\n]}');
    expect(await run(['explain', '--workspace', s.ws, '.env'])).toBe(0);
    expect(out).toMatch(new RegExp(`^${path.join(s.ws, '.env')}: noAccess\\n  winner: built-in rule ".env"\\n`));
    expect(out).toMatch(/\* +built-in +built-in +\.env +noAccess/);
    expect(out).toMatch(/ +workspace +\S+permissions\.json:2 +\.env +readOnly/);
    expect(err).toMatch(/permissions\.json:3: unknown level "nope"/);
  });

  it('is registered in the nome command table', () => {
    s.file('ws/.env');
    const root = path.resolve(__dirname, '../../..');
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/nome.ts'), 'permissions', 'explain', '--workspace', s.ws, '--json', '.env'], {
      cwd: root,
      env: { ...process.env, ...s.env, HOME: s.home },
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ level: 'noAccess', winner: { layer: 'built-in', pattern: '.env' } });
  });

  it('rejects bad usage', async () => {
    await expect(run([])).rejects.toThrow(UsageError);
    await expect(run(['explain', '--workspace', s.ws])).rejects.toThrow(UsageError);
    await expect(run(['explain', '--workspace', path.join(s.root, 'missing'), 'x'])).rejects.toThrow(/does not exist/);
  });
});
