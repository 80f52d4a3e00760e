/**
 * File permission gateway: `explain` 10,000 paths against 500 rules (a fresh gateway each run, so
 * reading and compiling the rules is included, caches are cold) vs `git check-ignore --no-index
 * --stdin` answering the same paths with the same rules on the same files, process start included.
 * The goal is NOME no slower than git. Both answers are compared as a sanity check.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPermissionGateway } from '../src/main/permissions';
import { fmtMs, timeMs, type BenchRow } from './harness';

const ROUNDS = 7;

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['src', 'lib', 'test', 'docs', 'build', 'dist', 'vendor', 'app', 'core', 'util', 'api', 'web', 'assets', 'config', 'scripts', 'tmp', 'cache', 'data', 'models', 'views'];
const EXTS = ['ts', 'js', 'md', 'json', 'css', 'html', 'png', 'log', 'txt', 'yml', 'lock', 'map', 'snap', 'sql', 'py'];

/** Rules shaped like real ignore files and permission lists. */
function makeRules(random: () => number, count: number): string[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const rules = new Set<string>();
  while (rules.size < count) {
    const shape = Math.floor(random() * 8);
    const n = Math.floor(random() * 1000);
    const rule = [
      () => `*.${pick(EXTS)}${n}`,
      () => `${pick(WORDS)}${n}/`,
      () => `${pick(WORDS)}/${pick(WORDS)}${n}/**`,
      () => `**/${pick(WORDS)}${n}/*.${pick(EXTS)}`,
      () => `${pick(WORDS)}-${n}.${pick(EXTS)}`,
      () => `${pick(WORDS)}/**/${pick(WORDS)}${n}.${pick(EXTS)}`,
      () => `${pick(WORDS)}[0-9]${n}*`,
      () => `${pick(WORDS)}/${pick(WORDS)}/file${n}.?s`,
    ][shape]!();
    rules.add(rule);
  }
  // A few broad ones so that a good share of paths match something.
  return [...rules].slice(0, count - 4).concat(['*.log', 'dist/', 'vendor/**/*.js', '**/cache/**']);
}

function makePaths(random: () => number, count: number): string[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const paths = new Set<string>();
  while (paths.size < count) {
    const depth = 1 + Math.floor(random() * 5);
    const dirs = Array.from({ length: depth - 1 }, () => (random() < 0.1 ? `${pick(WORDS)}${Math.floor(random() * 1000)}` : pick(WORDS)));
    paths.add([...dirs, `file${Math.floor(random() * 1000)}.${pick(EXTS)}`].join('/'));
  }
  return [...paths];
}

export default async function bench(): Promise<BenchRow[]> {
  const random = prng(4);
  const rules = makeRules(random, 500);
  const paths = makePaths(random, 10_000);
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nome-bench-perm-')));
  try {
    const ws = path.join(root, 'ws');
    const nomeHome = path.join(root, 'nome-home');
    mkdirSync(nomeHome, { recursive: true });
    mkdirSync(ws);
    for (const p of paths) {
      mkdirSync(path.join(ws, path.dirname(p)), { recursive: true });
      writeFileSync(path.join(ws, p), '');
    }
    const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    execFileSync('git', ['init', '-q'], { cwd: ws, env: gitEnv });
    const rulesFile = path.join(root, 'rules.gitignore');
    writeFileSync(rulesFile, rules.join('\n') + '\n');
    writeFileSync(path.join(nomeHome, 'permissions.json'), JSON.stringify({ rules: rules.map((pattern) => ({ pattern, level: 'readOnly' })) }));
    const env = { NOME_HOME: nomeHome, NOME_MANAGED_POLICY: path.join(root, 'managed.json') };

    let nomeMatched = 0;
    const runNome = () => {
      const gateway = createPermissionGateway({ workspace: ws, env, home: path.join(root, 'home') });
      nomeMatched = 0;
      for (const p of paths) if (gateway.explain(p).matches.some((m) => m.layer === 'user')) nomeMatched++;
    };
    let gitMatched = 0;
    const runGit = () => {
      const run = spawnSync('git', ['-c', `core.excludesFile=${rulesFile}`, 'check-ignore', '--no-index', '--stdin', '-z'], {
        cwd: ws,
        env: gitEnv,
        input: paths.join('\0') + '\0',
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (run.status !== 0 && run.status !== 1) throw new Error(`git check-ignore failed: ${run.stderr}`);
      gitMatched = run.stdout.split('\0').filter(Boolean).length;
    };
    // Interleaved rounds, median of each: the machine may be busy with other work.
    const nomeTimes: number[] = [];
    const gitTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      nomeTimes.push(await timeMs(runNome, round === 0));
      gitTimes.push(await timeMs(runGit, round === 0));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const nome = median(nomeTimes);
    const git = median(gitTimes);

    return [
      {
        figure: `permissions: explain ${paths.length / 1000}k paths × ${rules.length} rules vs git check-ignore`,
        nome: fmtMs(nome),
        baseline: fmtMs(git),
        ratio: nome / git,
        goal: '≤ 1×',
        note: `median of ${ROUNDS}; full explain (canonicalise, all matches) incl. loading; ${nomeMatched} vs ${gitMatched} paths matched${nomeMatched === gitMatched ? '' : ' — MISMATCH'}`,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
