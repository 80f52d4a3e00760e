/**
 * Red-team cases: shell commands and file-tool paths that reach a protected file, checked through
 * the whole judging path (policy engine → permission gateway → matrix) where the shell is involved.
 * Each case here once came out allow.
 */
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
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

describe('shell options that widen a glob', () => {
  it('dotglob turned on by the command line lets `*` reach .env', () => {
    expect(judge('cat *').verdict).toBe('allow');
    expect(judge('shopt -s dotglob; cat *').verdict).toBe('deny');
    expect(judge('bash -O dotglob -c "cat *"').verdict).toBe('deny');
  });

  it('nocaseglob lets `.EN*` reach .env', () => {
    expect(judge('shopt -s nocaseglob; cat .EN*').verdict).toBe('deny');
    expect(judge('bash -O nocaseglob -c "cat .EN*"').verdict).toBe('deny');
  });

  it('dotglob still never matches `.` and `..`', () => {
    expect(judge('shopt -s dotglob; cat src/*').verdict).toBe('allow');
  });
});

describe('symlinks made earlier on the same command line', () => {
  it('a read through a link `ln -s` just made is not allowed', () => {
    for (const command of [
      'ln -s ~ h && cat h/.aws/credentials',
      'ln -s ~/.aws a && cat a/credentials',
      'ln -sf -- ~/.aws a; cat a/credentials',
      'ln -s .. up && cat up/home/.aws/credentials',
      'cd src && ln -s ~ h && cat h/.aws/credentials',
      // The link's name is also the secret's name: still not the operand of ln.
      'ln -s ~/.aws credentials && cat credentials/credentials',
      'sudo ln -s ~/.aws a && cat a/credentials',
    ]) {
      const j = judge(command);
      expect(j.verdict, command).not.toBe('allow');
    }
  });

  it('a write through such a link is not allowed either', () => {
    expect(judge('ln -s ~/.ssh k && echo x > k/authorized_keys').verdict).not.toBe('allow');
  });

  it('the reason says why', () => {
    const j = judge('ln -s ~/.aws a && cat a/credentials');
    expect(j.reasons.join('\n')).toMatch(/reached through .*\/a, which this command line may create as a symlink/);
  });

  it('ordinary work with new directories, archives and links is unaffected', () => {
    for (const command of ['mkdir out && cp README.md out/r', 'tar cf box.tar src', 'ln -s ../lib lib', 'ln -s src s2', 'cp -r src out && cat out/a.ts']) {
      expect(judge(command).verdict, command).toBe('allow');
    }
  });
});

describe('file-tool paths', () => {
  it('a path with a NUL byte is denied: a C-string consumer would read `.env`', () => {
    expect(s.gateway().check({ path: '.env\0.txt', access: 'read' })[0]).toMatchObject({ decision: 'deny', level: 'noAccess' });
    expect(s.gateway().check({ path: 'README.md', access: 'read' })[0]!.decision).toBe('allow');
  });
});

describe('moves carry what they move (issue 10, class 6)', () => {
  it('mv src dst && cat dst/x, where src/x is a symlink to .env, is judged as reading .env', () => {
    s.link('ws/src/x', path.join(s.ws, '.env'));
    const j = judge('mv src dst && cat dst/x');
    expect(j.verdict).toBe('deny');
    expect(j.files).toContainEqual(expect.objectContaining({ path: path.join(realpathSync(s.ws), '.env'), access: 'read', allowed: false }));
    expect(j.reasons.join('\n')).toMatch(/where this command line moves it/);
  });
  it('into an existing directory, with -t, and with git mv', () => {
    s.link('ws/keep/x', path.join(s.ws, '.env'));
    mkdirSync(path.join(s.ws, 'box'));
    expect(judge('mv keep box && cat box/keep/x').verdict).toBe('deny');
    expect(judge('mv -t box keep && cat box/keep/x').verdict).toBe('deny');
    expect(judge('git mv keep moved && cat moved/x').verdict).toBe('deny');
  });
  it('an ordinary move stays allowed', () => {
    expect(judge('mv src lib && cat lib/a.ts').verdict).toBe('allow');
  });
});
