/**
 * Red-team cases: shell commands and file-tool paths that reach a protected file, checked through
 * the whole judging path (policy engine → permission gateway → matrix) where the shell is involved.
 * Each case here once came out allow.
 */
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPolicyEngine, type PolicyEngine } from '../../../src/main/policy';
import { judgeShell } from '../../../src/main/supervisor/judge';
import { sandbox, type Sandbox } from './sandbox';

let engine: PolicyEngine;
let s: Sandbox;
beforeAll(async () => {
  engine = await createPolicyEngine();
});
beforeEach(() => {
  s = sandbox();
  s.file('ws/.env', 'SECRET=1');
  s.file('ws/src/a.ts', 'x');
  s.file('ws/README.md', '#');
  s.file('home/.aws/credentials', 'key');
  s.file('home/.ssh/id_ed25519', 'key');
});
afterEach(() => s.cleanup());

const judge = (command: string, cwd?: string) =>
  judgeShell(engine, { command, workspace: s.ws, ...(cwd ? { cwd } : {}), confined: false, env: { ...s.env, HOME: s.home }, home: s.home });

describe('globs expand as bash expands them', () => {
  it('a symlink to a secret inside a globbed directory is matched (it was left out of the expansion)', () => {
    s.link('ws/docs/notes', path.join(s.ws, '.env'));
    s.file('ws/docs/guide.md');
    expect(s.gateway().check({ path: 'docs/*', access: 'read', glob: true }).map((r) => r.decision)).toContain('deny');
    expect(judge('cat docs/*').verdict).toBe('deny');
    expect(judge('cat docs/n*').verdict).toBe('deny');
    // The ordinary file alone is still fine.
    expect(judge('cat docs/g*').verdict).toBe('allow');
  });

  it('a symlink to a secret directory is matched by `*` and by a later component', () => {
    s.link('ws/aws', path.join(s.home, '.aws'));
    expect(judge('cat */credentials').verdict).toBe('deny');
    expect(judge('grep -r KEY *').verdict).toBe('deny');
  });

  it('a dangling symlink is matched: writing through it creates the protected file', () => {
    s.link('ws/out/key', path.join(s.home, '.ssh/id_rsa'));
    const results = s.gateway().check({ path: 'out/*', access: 'write', glob: true });
    expect(results.map((r) => r.decision)).toEqual(['deny']);
    expect(results[0]!.path).toBe(path.join(s.home, '.ssh/id_rsa'));
  });

  it('a symlink loop under `**` is walked once', () => {
    symlinkSync('.', path.join(s.ws, 'src', 'loop'));
    expect(s.gateway().check({ path: 'src/**/*.ts', access: 'read', glob: true }).every((r) => r.decision === 'allow')).toBe(true);
  });

  it('ordinary globs stay allowed; `*` does not match dotfiles', () => {
    expect(judge('cat *').verdict).toBe('allow');
    expect(judge('cat src/*.ts').verdict).toBe('allow');
    expect(judge('cat .e*').verdict).toBe('deny');
  });
});
