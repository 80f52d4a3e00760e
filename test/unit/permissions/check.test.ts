/** Enforcement of file targets (issue 4, point 7) as the policy engine and file tools give them. */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from './sandbox';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
  s.file('ws/.env', 'SECRET=1');
  s.file('ws/src/a.ts', 'x');
  s.file('ws/src/b.ts', 'y');
  s.file('ws/README.md', '#');
});
afterEach(() => s.cleanup());

describe('single targets', () => {
  it('a read of noAccess is deny, with the path, level, rule and source in the reason', () => {
    // `cat .en""v`: the policy engine removes the quotes and hands over `.env`.
    const [r] = s.gateway().check({ path: '.env', access: 'read' });
    expect(r).toMatchObject({ path: path.join(s.ws, '.env'), access: 'read', level: 'noAccess', allowed: false, decision: 'deny' });
    expect(r!.reason).toBe(`read of ${path.join(s.ws, '.env')} denied: noAccess by built-in rule ".env"`);
    expect(r!.winner?.pattern).toBe('.env');
  });

  it('escaped and quoted names arrive unquoted and are checked as such', () => {
    const g = s.gateway();
    for (const p of ['.env', './.env', 'src/../.env', `${s.ws}/.env`]) expect(g.check({ path: p, access: 'read' })[0]!.decision).toBe('deny');
    // A name that still contains quote characters is a different (harmless) file.
    expect(g.check({ path: '.en""v', access: 'read' })[0]!.decision).toBe('allow');
  });

  it('a write to readOnly is deny, a read of it allow', () => {
    const file = s.layer('workspace', null, '{"rules": [\n {"pattern": "docs/**", "level": "readOnly"}\n]}');
    const g = s.gateway();
    const [w] = g.check({ path: 'docs/guide.md', access: 'write' });
    expect(w).toMatchObject({ decision: 'deny', allowed: false, level: 'readOnly' });
    expect(w!.reason).toBe(`write to ${path.join(s.ws, 'docs/guide.md')} denied: readOnly by rule "docs/**" (workspace layer, ${file}:2)`);
    expect(g.check({ path: 'docs/guide.md', access: 'read' })[0]).toMatchObject({ decision: 'allow', allowed: true });
  });

  it('defaults: write inside allowed, write outside denied, read outside allowed', () => {
    const g = s.gateway();
    expect(g.check({ path: 'src/a.ts', access: 'write' })[0]).toMatchObject({ decision: 'allow', reason: expect.stringContaining('default inside the workspace') });
    const [out] = g.check({ path: '/etc/hosts', access: 'write' });
    expect(out).toMatchObject({ decision: 'deny', level: 'readOnly', winner: null });
    expect(out!.reason).toMatch(/default outside the workspace/);
    expect(g.check({ path: '/etc/hosts', access: 'read' })[0]!.decision).toBe('allow');
  });

  it('~ is expanded; ~user is ask', () => {
    const g = s.gateway();
    expect(g.check({ path: '~/.aws/credentials', access: 'read' })[0]).toMatchObject({ path: path.join(s.home, '.aws/credentials'), decision: 'deny' });
    expect(g.check({ path: '~bob/.aws/credentials', access: 'read' })[0]!.decision).toBe('ask');
  });

  it('resolves relative paths against cwd when given', () => {
    s.file('ws/sub/.env.local');
    expect(s.gateway().check({ path: '.env.local', access: 'read', cwd: 'sub' })[0]).toMatchObject({ path: path.join(s.ws, 'sub/.env.local'), decision: 'deny' });
  });

  it('a symlink escape is deny for a read', () => {
    s.file('home/.ssh/id_rsa');
    s.link('ws/innocent', path.join(s.home, '.ssh/id_rsa'));
    expect(s.gateway().check({ path: 'innocent', access: 'read' })[0]).toMatchObject({ decision: 'deny', level: 'noAccess' });
  });

  it('writing through a symlink that leaves the workspace is deny (the outside default)', () => {
    s.file('outside/notes.txt');
    s.link('ws/notes', path.join(s.root, 'outside/notes.txt'));
    const [r] = s.gateway().check({ path: 'notes', access: 'write' });
    expect(r).toMatchObject({ path: path.join(s.root, 'outside/notes.txt'), decision: 'deny', level: 'readOnly' });
    expect(r!.reason).toMatch(/readOnly \(default outside the workspace\)$/);
    // And the other way round: written through an outside link into the workspace.
    s.link('outside/into-ws', s.ws);
    const [back] = s.gateway().check({ path: path.join(s.root, 'outside/into-ws/src/a.ts'), access: 'write' });
    expect(back).toMatchObject({ path: path.join(s.ws, 'src/a.ts'), decision: 'deny' });
    expect(back!.reason).toMatch(/default outside the workspace/);
  });

  it('anything but an explicit read is checked as a write', () => {
    const [r] = s.gateway().check({ path: 'README.md', access: 'append' as 'write' });
    expect(r!.access).toBe('write');
  });
});

describe('dynamic and unresolvable paths', () => {
  it('a dynamic path is ask, never allow', () => {
    const [r] = s.gateway().check({ path: '$OUT', access: 'write', dynamic: true });
    expect(r).toMatchObject({ decision: 'ask', allowed: false });
    expect(r!.reason).toMatch(/computed at run time/);
  });
  it('a dynamic path whose literal text already lands on a forbidden rule is deny', () => {
    expect(s.gateway().check({ path: '~/.ssh/$KEY', access: 'read', dynamic: true })[0]!.decision).toBe('deny');
  });
  it('an empty path is ask', () => {
    expect(s.gateway().check({ path: '', access: 'read' })[0]!.decision).toBe('ask');
  });
  it('an error while checking is deny with a readable reason', () => {
    s.link('ws/l1', 'l2');
    s.link('ws/l2', 'l1');
    const [r] = s.gateway().check({ path: 'l1', access: 'read' });
    expect(r).toMatchObject({ decision: 'deny', allowed: false });
    expect(r!.reason).toMatch(/symbolic links/);
    const [bad] = s.gateway().check(null as never);
    expect(bad!.decision).toBe('deny');
    expect(bad!.reason).toMatch(/error while checking/);
  });
});

describe('globs', () => {
  it('`cat .e*` expands to .env and is deny', () => {
    const results = s.gateway().check({ path: '.e*', access: 'read', glob: true });
    expect(results.map((r) => [path.basename(r.path), r.decision])).toEqual([['.env', 'deny']]);
  });
  it('`cat *` does not match dotfiles, as in the shell', () => {
    const results = s.gateway().check({ path: '*', access: 'read', glob: true });
    expect(results.map((r) => path.basename(r.path)).sort()).toEqual(['README.md', 'src']);
    expect(results.every((r) => r.decision === 'allow')).toBe(true);
  });
  it('expands in subdirectories and absolute globs', () => {
    s.file('ws/config/.env.prod');
    const g = s.gateway();
    expect(g.check({ path: 'config/.env*', access: 'read', glob: true })[0]).toMatchObject({ decision: 'deny' });
    expect(g.check({ path: `${s.ws}/src/*.ts`, access: 'write', glob: true }).map((r) => r.decision)).toEqual(['allow', 'allow']);
    s.file('home/.ssh/id_rsa');
    expect(g.check({ path: '~/.ssh/*', access: 'read', glob: true })[0]!.decision).toBe('deny');
  });
  it('a glob matching nothing is checked as the literal word the shell passes', () => {
    const [r] = s.gateway().check({ path: 'nothing-*.txt', access: 'read', glob: true });
    expect(r).toMatchObject({ path: path.join(s.ws, 'nothing-*.txt'), decision: 'allow' });
  });
});

describe('recursive targets', () => {
  it('`grep -r x .` over a tree containing .env is deny, naming the file', () => {
    const [r] = s.gateway().check({ path: '.', access: 'read', recursive: true });
    expect(r).toMatchObject({ path: s.ws, decision: 'deny', level: 'noAccess', winner: expect.objectContaining({ pattern: '.env' }) });
    expect(r!.reason).toBe(`recursive read of ${s.ws} denied: it contains ${path.join(s.ws, '.env')}, noAccess by built-in rule ".env"`);
  });
  it('a subtree with nothing forbidden is allow', () => {
    expect(s.gateway().check({ path: 'src', access: 'read', recursive: true })[0]).toMatchObject({ decision: 'allow' });
  });
  it('is allow when the command provably excludes the noAccess files', () => {
    s.file('ws/deep/er/.env');
    const g = s.gateway();
    expect(g.check({ path: '.', access: 'read', recursive: true, exclude: ['.env'] })[0]!.decision).toBe('allow');
    expect(g.check({ path: '.', access: 'read', recursive: true, exclude: ['/.env'] })[0]!.decision).toBe('deny');
  });
  it('finds noAccess files deep down, and through symlinks inside the tree', () => {
    s.file('ws/a/b/c/d/server.key');
    const g = s.gateway();
    expect(g.check({ path: 'a', access: 'read', recursive: true })[0]!.reason).toMatch(/server\.key, noAccess by built-in rule "\*\.key"/);
    s.file('home/.ssh/id_rsa');
    s.link('ws/src/keys', path.join(s.home, '.ssh'));
    expect(g.check({ path: 'src', access: 'read', recursive: true })[0]).toMatchObject({ decision: 'deny' });
  });
  it('a recursive write (rm -r, cp -r into) over readOnly files is deny', () => {
    s.file('ws/.git/hooks/pre-commit');
    s.file('ws/.git/HEAD');
    const g = s.gateway();
    const [r] = g.check({ path: '.git', access: 'write', recursive: true });
    expect(r).toMatchObject({ decision: 'deny', level: 'readOnly' });
    expect(r!.reason).toMatch(/hooks/);
    // Reading it is fine.
    expect(g.check({ path: '.git', access: 'read', recursive: true })[0]!.decision).toBe('allow');
  });
  it('`cat dir/*` (glob + recursive) checks each expansion', () => {
    s.file('ws/conf/.env');
    s.file('ws/conf/sub/app.pem');
    const results = s.gateway().check({ path: 'conf/*', access: 'read', glob: true, recursive: true });
    expect(results.map((r) => [path.basename(r.path), r.decision])).toEqual([['sub', 'deny']]);
  });
  it('an unreadable directory cannot leak, so it does not block', () => {
    if (process.getuid?.() === 0) return; // root reads everything
    mkdirSync(path.join(s.ws, 'locked'));
    s.file('ws/locked/.env');
    chmodSync(path.join(s.ws, 'locked'), 0o000);
    try {
      expect(s.gateway().check({ path: 'src', access: 'read', recursive: true })[0]!.decision).toBe('allow');
    } finally {
      chmodSync(path.join(s.ws, 'locked'), 0o755);
    }
  });
  it('walks a symlink cycle once', () => {
    s.link('ws/src/up', '..');
    s.link('ws/src/self', '.');
    const g = s.gateway();
    expect(g.check({ path: 'src', access: 'read', recursive: true })[0]).toMatchObject({ decision: 'deny', winner: expect.objectContaining({ pattern: '.env' }) });
    expect(g.check({ path: 'src', access: 'read', recursive: true, exclude: ['up'] })[0]!.decision).toBe('allow');
  });
  it('a non-directory recursive target is checked as a single file', () => {
    expect(s.gateway().check({ path: 'README.md', access: 'read', recursive: true })[0]!.decision).toBe('allow');
  });
});
