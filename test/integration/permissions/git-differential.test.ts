/**
 * Differential test (issue 4, point 3): generated gitignore patterns and paths, every answer of
 * NOME's matcher compared with `git check-ignore --no-index` on the same rule and the same files
 * on disk. One git process per pattern answers all paths, so >10,000 pairs take a few seconds.
 *
 * Two levels are compared: the compiled matcher (all patterns in one segment tree, so each path's
 * full set of matching rules is checked against git's per-pattern answers), and the gateway end to
 * end (rules in a layer file, explain on real files; leading-`/` patterns written as absolute paths).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPermissionGateway } from '../../../src/main/permissions';
import { CompiledRules } from '../../../src/main/permissions/matcher';
import type { SourceRule } from '../../../src/main/permissions/rules';

/** A small seeded PRNG so a failure reproduces. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const SEED = 20_260_401;
const NAMES = ['a', 'b', 'ab', 'ba', 'a.b', '.a', 'x', 'b.c', 'abc', 'c-d', 'A', 'Ab'];
const SEGMENTS = [...NAMES, '*', '?', 'a*', '*b', '*.b', '*.c', '[ab]', '[!a]', '[a-c]*', '**', '.*', 'a?', '?b*', '\\*', 'a[.]b'];

function genPattern(r: ReturnType<typeof prng>): string {
  const count = 1 + r.int(3);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(r.pick(SEGMENTS));
  let pattern = parts.join('/');
  if (r.chance(0.15)) pattern = `**/${pattern}`;
  if (r.chance(0.1)) pattern = `${pattern}/**`;
  if (r.chance(0.2)) pattern = `/${pattern}`;
  if (r.chance(0.2)) pattern = `${pattern}/`;
  return pattern.replace(/\/{2,}/g, '/');
}

function genPaths(r: ReturnType<typeof prng>, count: number): string[] {
  const paths = new Set<string>();
  while (paths.size < count) {
    const depth = 1 + r.int(4);
    const parts: string[] = [];
    for (let i = 0; i < depth; i++) parts.push(r.pick(NAMES));
    paths.add(parts.join('/'));
  }
  return [...paths];
}

/** Lays the paths out on disk: a path that is a prefix of another is a directory, the rest files. */
function layOut(root: string, paths: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const d of dirs) mkdirSync(path.join(root, d), { recursive: true });
  for (const p of paths) if (!dirs.has(p)) writeFileSync(path.join(root, p), '');
  return dirs;
}

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** Which of `paths` git says `pattern` matches (or lies under a match of). */
function gitMatches(repo: string, pattern: string, paths: string[], ignoreCase: boolean): Set<string> {
  const rulesFile = path.join(repo, '.git', 'nome-rules');
  writeFileSync(rulesFile, `${pattern}\n`);
  const run = spawnSync(
    'git',
    ['-c', `core.excludesFile=${rulesFile}`, '-c', `core.ignorecase=${ignoreCase}`, 'check-ignore', '--no-index', '--stdin', '-z', '-v', '-n'],
    { cwd: repo, input: paths.join('\0') + '\0', env: gitEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  // Exit 1 only says that nothing matched.
  if (run.status !== 0 && run.status !== 1) throw new Error(`git check-ignore failed (${run.status}): ${run.stderr}`);
  const out = run.stdout;
  // -z -v -n: source NUL line NUL pattern NUL path NUL, with empty fields for no match.
  const fields = out.split('\0');
  const matched = new Set<string>();
  for (let i = 0; i + 3 < fields.length; i += 4) if (fields[i] !== '') matched.add(fields[i + 3]!);
  return matched;
}

describe('gitignore semantics agree with git check-ignore', () => {
  let root: string;
  let repo: string;
  let paths: string[];
  let dirs: Set<string>;
  const r = prng(SEED);
  const patterns = Array.from({ length: 110 }, () => genPattern(r));

  beforeAll(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nome-perm-diff-')));
    repo = path.join(root, 'repo');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo, env: gitEnv });
    paths = genPaths(r, 160);
    dirs = layOut(repo, paths);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const ignoreCase of [false, true]) {
    it(`the compiled matcher, case ${ignoreCase ? 'insensitive' : 'sensitive'}: every pattern × every path`, () => {
      // A leading `/` means absolute in a layer, so a repository-anchored pattern is written with the root spelt out.
      const rules: SourceRule[] = patterns.map((pattern, i) => ({
        layer: 'workspace',
        source: 'gen',
        line: i + 1,
        pattern: pattern.startsWith('/') ? `${repo}${pattern}` : pattern,
        level: 'readOnly',
      }));
      const compiled = new CompiledRules(rules, { home: ['/nonexistent-home'], placeholders: {} });
      const expected = patterns.map((pattern) => gitMatches(repo, pattern, paths, ignoreCase));
      let pairs = 0;
      const disagreements: string[] = [];
      for (const p of paths) {
        const found = new Set<number>();
        const slash = dirs.has(p) ? '/' : '';
        compiled.collect('ws', p + slash, ignoreCase, found);
        compiled.collect('abs', `${repo.slice(1)}/${p}${slash}`, ignoreCase, found);
        patterns.forEach((pattern, i) => {
          pairs++;
          if (found.has(i) !== expected[i]!.has(p)) disagreements.push(`${JSON.stringify(pattern)} vs ${p}${dirs.has(p) ? '/' : ''}: git ${expected[i]!.has(p)}, nome ${found.has(i)}`);
        });
      }
      expect(disagreements.slice(0, 20)).toEqual([]);
      expect(pairs).toBeGreaterThanOrEqual(10_000);
      // Not a trivial agreement: a fair share of pairs match.
      const positives = expected.reduce((n, set) => n + set.size, 0);
      expect(positives / pairs).toBeGreaterThan(0.1);
      expect(positives / pairs).toBeLessThan(0.9);
    });
  }

  it('the gateway end to end: rules in a layer file, explain on the files', () => {
    const nomeHome = path.join(root, 'nome-home');
    mkdirSync(nomeHome);
    // Leading `/` anchors to the repository in gitignore; in a layer it means absolute, so write the root out.
    const layerPatterns = patterns.slice(0, 60).map((p) => (p.startsWith('/') ? `${repo}${p}` : p));
    writeFileSync(path.join(nomeHome, 'permissions.json'), `{"rules":[\n${layerPatterns.map((pattern) => JSON.stringify({ pattern, level: 'readOnly' })).join(',\n')}\n]}\n`);
    const gateway = createPermissionGateway({
      workspace: repo,
      home: path.join(root, 'home'),
      env: { NOME_HOME: nomeHome, NOME_MANAGED_POLICY: path.join(root, 'managed.json') },
      caseInsensitive: () => false,
    });
    expect(gateway.errors).toEqual([]);
    const expected = patterns.slice(0, 60).map((pattern) => gitMatches(repo, pattern, paths, false));
    const disagreements: string[] = [];
    for (const p of paths) {
      const lines = new Set(gateway.explain(p).matches.filter((m) => m.layer === 'user').map((m) => m.line));
      // The layer file has one entry per line after the opening `{"rules":[` line.
      expected.forEach((set, i) => {
        if (lines.has(i + 2) !== set.has(p)) disagreements.push(`${JSON.stringify(layerPatterns[i])} vs ${p}: git ${set.has(p)}, nome ${lines.has(i + 2)}`);
      });
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
  });
});
