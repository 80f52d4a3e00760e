/** Levels, the layer cascade, patterns and broken layer files (issue 4, points 1–4). */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLevel, minLevel, permits } from '../../../src/main/permissions';
import { sandbox, type Sandbox } from './sandbox';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

describe('levels', () => {
  it('orders noAccess < readOnly < readWrite', () => {
    expect(minLevel('readWrite', 'readOnly')).toBe('readOnly');
    expect(minLevel('noAccess', 'readOnly')).toBe('noAccess');
    expect(minLevel('readWrite', 'readWrite')).toBe('readWrite');
    expect(isLevel('readOnly')).toBe(true);
    expect(isLevel('read-only')).toBe(false);
  });
  it('reading needs readOnly, writing needs readWrite', () => {
    expect(permits('noAccess', 'read')).toBe(false);
    expect(permits('readOnly', 'read')).toBe(true);
    expect(permits('readOnly', 'write')).toBe(false);
    expect(permits('readWrite', 'write')).toBe(true);
  });
});

describe('defaults', () => {
  it('is readWrite inside the workspace and readOnly outside', () => {
    const g = s.gateway();
    expect(g.explain('src/a.ts')).toMatchObject({ path: path.join(s.ws, 'src/a.ts'), level: 'readWrite', winner: null, matches: [] });
    expect(g.explain(path.join(s.root, 'elsewhere/x.txt')).level).toBe('readOnly');
    expect(g.explain(s.ws).level).toBe('readWrite');
  });
});

describe('the cascade', () => {
  it('reads every layer and takes the minimum over all matching rules', () => {
    s.layer('managed', [{ pattern: 'vendor/**', level: 'readOnly' }]);
    s.layer('workspace', [{ pattern: 'docs/**', level: 'readOnly' }]);
    s.layer('workspace-local', [{ pattern: 'docs/private/**', level: 'noAccess' }]);
    s.layer('user', [{ pattern: '*.log', level: 'readOnly' }]);
    const g = s.gateway();
    expect(g.errors).toEqual([]);
    expect(g.explain('vendor/lib.js').winner).toMatchObject({ layer: 'managed', source: s.managed, pattern: 'vendor/**', level: 'readOnly' });
    expect(g.explain('docs/a.md').level).toBe('readOnly');
    const priv = g.explain('docs/private/x.md');
    expect(priv.level).toBe('noAccess');
    expect(priv.winner).toMatchObject({ layer: 'workspace-local', pattern: 'docs/private/**' });
    expect(priv.matches.map((m) => [m.layer, m.pattern, m.level])).toEqual([
      ['workspace', 'docs/**', 'readOnly'],
      ['workspace-local', 'docs/private/**', 'noAccess'],
    ]);
    expect(g.explain('build/out.log').winner).toMatchObject({ layer: 'user', pattern: '*.log' });
  });

  it('a lower layer restricts further but never loosens what a higher one restricted', () => {
    s.layer('managed', [{ pattern: 'secrets/**', level: 'noAccess' }]);
    s.layer('user', [{ pattern: 'secrets/**', level: 'readWrite' }]);
    const ex = s.gateway().explain('secrets/token');
    expect(ex.level).toBe('noAccess');
    expect(ex.winner?.layer).toBe('managed');
    expect(ex.matches).toHaveLength(2);
  });

  it('built-in rules always win: a layer cannot loosen .env', () => {
    s.layer('managed', [{ pattern: '.env', level: 'readWrite' }]);
    s.layer('workspace', [{ pattern: '**', level: 'readWrite' }]);
    const ex = s.gateway().explain('.env');
    expect(ex.level).toBe('noAccess');
    expect(ex.winner).toMatchObject({ layer: 'built-in', source: 'built-in', line: null, pattern: '.env' });
  });

  it('ties between equal levels go to the higher layer, then the earlier line', () => {
    s.layer('user', [{ pattern: 'a/**', level: 'readOnly' }]);
    s.layer('workspace', [
      { pattern: 'a/b/**', level: 'readOnly' },
      { pattern: 'a/**', level: 'readOnly' },
    ]);
    const ex = s.gateway().explain('a/b/c');
    expect(ex.winner).toMatchObject({ layer: 'workspace', pattern: 'a/b/**' });
    expect(ex.matches.map((m) => m.layer)).toEqual(['workspace', 'workspace', 'user']);
  });

  it('gives each rule its file and line', () => {
    const file = s.layer('workspace', null, '{\n  "rules": [\n    {"pattern": "x", "level": "readOnly"},\n    {"pattern": "docs/**", "level": "readOnly"}\n  ]\n}\n');
    const ex = s.gateway().explain('docs/a.md');
    expect(ex.winner).toMatchObject({ source: file, line: 4 });
  });

  it('ignores the tools section, which belongs to the policy matrix', () => {
    s.layer('workspace', null, JSON.stringify({ tools: { bash: 'ask' }, rules: [{ pattern: 'x', level: 'readOnly' }] }));
    const g = s.gateway();
    expect(g.errors).toEqual([]);
    expect(g.explain('x').level).toBe('readOnly');
  });

  it('lists the layer files to watch, highest first', () => {
    expect(s.gateway().layerFiles()).toEqual([
      s.managed,
      path.join(s.ws, '.nome', 'permissions.json'),
      path.join(s.ws, '.nome', 'permissions.local.json'),
      path.join(s.nomeHome, 'permissions.json'),
    ]);
  });

  it('reload re-reads the layer files', () => {
    const g = s.gateway();
    expect(g.explain('docs/a.md').level).toBe('readWrite');
    s.layer('workspace', [{ pattern: 'docs/**', level: 'readOnly' }]);
    g.reload();
    expect(g.explain('docs/a.md').level).toBe('readOnly');
  });
});

describe('outside the workspace', () => {
  it('a user or managed rule may grant write access outside', () => {
    s.layer('user', [{ pattern: `${s.root}/scratch/**`, level: 'readWrite' }]);
    expect(s.gateway().explain(path.join(s.root, 'scratch/x')).level).toBe('readWrite');
  });
  it("the workspace's own layers restrict outside but cannot grant write access there", () => {
    s.layer('workspace', [
      { pattern: `${s.root}/scratch/**`, level: 'readWrite' },
      { pattern: `${s.root}/forbidden/**`, level: 'noAccess' },
      { pattern: '~/notes/**', level: 'readWrite' },
    ]);
    const g = s.gateway();
    expect(g.explain(path.join(s.root, 'scratch/x')).level).toBe('readOnly');
    expect(g.explain('~/notes/a').level).toBe('readOnly');
    expect(g.explain(path.join(s.root, 'forbidden/x')).level).toBe('noAccess');
  });
});

describe('patterns (gitignore semantics)', () => {
  it('anchors patterns with an inner slash, floats the others', () => {
    s.layer('workspace', [
      { pattern: 'docs/*.md', level: 'readOnly' },
      { pattern: 'notes.txt', level: 'noAccess' },
    ]);
    const g = s.gateway();
    expect(g.explain('docs/a.md').level).toBe('readOnly');
    expect(g.explain('sub/docs/a.md').level).toBe('readWrite');
    expect(g.explain('docs/deeper/a.md').level).toBe('readWrite');
    expect(g.explain('notes.txt').level).toBe('noAccess');
    expect(g.explain('a/b/notes.txt').level).toBe('noAccess');
  });

  it('handles ** and character classes', () => {
    s.layer('workspace', [
      { pattern: 'a/**/z', level: 'readOnly' },
      { pattern: 'log[0-9].txt', level: 'noAccess' },
    ]);
    const g = s.gateway();
    expect(g.explain('a/z').level).toBe('readOnly');
    expect(g.explain('a/b/c/z').level).toBe('readOnly');
    expect(g.explain('log7.txt').level).toBe('noAccess');
    expect(g.explain('logx.txt').level).toBe('readWrite');
  });

  it('a trailing slash matches directories only, and everything below them', () => {
    s.file('ws/build/out.js');
    s.file('ws/lib/build');
    s.layer('workspace', [{ pattern: 'build/', level: 'readOnly' }]);
    const g = s.gateway();
    expect(g.explain('build').level).toBe('readOnly');
    expect(g.explain('build/out.js').level).toBe('readOnly');
    expect(g.explain('lib/build').level).toBe('readWrite'); // a file
    expect(g.explain('not-yet/build/x').level).toBe('readOnly'); // a parent is a directory by definition
  });

  it('reads /abs/ and ~/ patterns as absolute paths', () => {
    s.layer('user', [
      { pattern: `${s.root}/shared/**`, level: 'noAccess' },
      { pattern: '~/Documents/**', level: 'noAccess' },
      { pattern: `${s.ws}/generated/**`, level: 'readOnly' },
    ]);
    const g = s.gateway();
    expect(g.explain(path.join(s.root, 'shared/a')).level).toBe('noAccess');
    expect(g.explain('~/Documents/cv.pdf').winner?.pattern).toBe('~/Documents/**');
    expect(g.explain(path.join(s.home, 'Documents/cv.pdf')).level).toBe('noAccess');
    expect(g.explain('generated/x.ts').level).toBe('readOnly');
  });
});

describe('broken layer files: a clear file:line error and the most restrictive reading', () => {
  it('invalid JSON denies everything the layer could cover', () => {
    const file = s.layer('workspace', null, '{\n  "rules": [\n    {"pattern": "x", "level": "readOnly"},\n  ]\n}\n');
    const g = s.gateway();
    expect(g.errors).toHaveLength(1);
    expect(g.errors[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: invalid JSON`));
    for (const p of ['src/a.ts', path.join(s.root, 'elsewhere'), '~/x']) {
      const ex = g.explain(p);
      expect(ex.level).toBe('noAccess');
      expect(ex.winner).toMatchObject({ layer: 'workspace', source: file, line: 4 });
      expect(ex.winner?.note).toMatch(/most restrictive/);
    }
  });

  it('a file that is not an object, or rules that are not an array, deny everything', () => {
    s.layer('user', null, '[1, 2]');
    s.layer('workspace', null, '{"rules": {"pattern": "x"}}');
    const g = s.gateway();
    expect(g.errors).toHaveLength(2);
    expect(g.errors.join('\n')).toMatch(/permissions\.json:1: "rules" must be an array/);
    expect(g.errors.join('\n')).toMatch(/nome-home\/permissions\.json:1: a layer file must be a JSON object/);
    expect(g.explain('anything').level).toBe('noAccess');
  });

  it('an unknown level counts as noAccess for its pattern only', () => {
    const file = s.layer('workspace', null, '{"rules": [\n {"pattern": "docs/**", "level": "readonly"}\n]}');
    const g = s.gateway();
    expect(g.errors).toEqual([`${file}:2: unknown level "readonly" (expected noAccess, readOnly, readWrite); read as noAccess`]);
    expect(g.explain('docs/a.md').level).toBe('noAccess');
    expect(g.explain('src/a.ts').level).toBe('readWrite');
  });

  it('a bad pattern matches every path at its level', () => {
    const file = s.layer('workspace', null, '{"rules": [\n {"pattern": "!docs/**", "level": "readOnly"},\n {"pattern": 42, "level": "noAccess"}\n]}');
    const g = s.gateway();
    expect(g.errors[0]).toBe(`${file}:2: negated patterns ("!…") are not supported: rules can only restrict (escape a literal "!" as "\\!"); read as matching every path at readOnly`);
    expect(g.errors[1]).toMatch(new RegExp(`:3: the pattern must be a string; read as matching every path at noAccess$`));
    const ex = g.explain('src/a.ts');
    expect(ex.level).toBe('noAccess');
    expect(ex.matches.map((m) => m.level)).toEqual(['readOnly', 'noAccess']);
  });

  it('a bad pattern at readWrite grants nothing', () => {
    s.layer('user', [{ pattern: '../outside/**', level: 'readWrite' }]);
    const g = s.gateway();
    expect(g.errors[0]).toMatch(/"\." and "\.\." are not allowed.*grants nothing/);
    expect(g.explain(path.join(s.root, 'outside/x')).level).toBe('readOnly');
    expect(g.explain('src/a.ts').level).toBe('readWrite');
  });

  it('rejects comments, empty patterns, ~user and trailing backslashes', () => {
    s.layer('workspace', [
      { pattern: '#x', level: 'readOnly' },
      { pattern: '  ', level: 'readOnly' },
      { pattern: '~bob/x', level: 'readOnly' },
      { pattern: 'x\\', level: 'readOnly' },
    ]);
    const errors = s.gateway().errors.join('\n');
    expect(errors).toMatch(/comment/);
    expect(errors).toMatch(/empty/);
    expect(errors).toMatch(/~user/);
    expect(errors).toMatch(/unpaired backslash/);
  });

  it('an entry that is not an object denies everything; unknown keys are reported but the rule applies', () => {
    s.layer('workspace', null, '{"rules": [\n "docs/**",\n {"pattern": "a", "level": "readOnly", "levle": "x"}\n]}');
    const g = s.gateway();
    expect(g.errors.join('\n')).toMatch(/:2: a rule must be an object/);
    expect(g.errors.join('\n')).toMatch(/:3: unknown key "levle"/);
    expect(g.explain('src/a.ts').level).toBe('noAccess');
  });

  it('an absent layer file is simply empty', () => {
    expect(s.gateway().errors).toEqual([]);
  });
});
