/**
 * Parser differential: run each corpus command in real bash inside bubblewrap (no network, a
 * throwaway HOME and workspace, PATH holding only stub programs that log their argv; any other
 * name is logged by command_not_found_handle) and check that every program bash actually tried to
 * run was seen by the engine — for every command the engine did not mark dynamic.
 *
 * The system bin directories are the stub directory too, so `/bin/rm` is logged rather than run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyEngine, type PolicyEngine } from '../../../src/main/policy';
import { CATALOG } from '../../../src/main/policy/catalog';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus/peer-commands.jsonl');
const BWRAP = '/usr/bin/bwrap';
const BASH = '/usr/bin/bash';
const TIMEOUT = '/usr/bin/timeout';
const usable = process.platform === 'linux' && existsSync(BWRAP) && spawnSync(BWRAP, ['--ro-bind', '/', '/', '--unshare-net', 'true']).status === 0;

/** Commands beyond the corpus that probe known tree-sitter/bash disagreements. */
const EXTRA = [
  'r\\\nm -rf x',
  'ec\\\nho hi; l\\\ns',
  'a && b > f',
  'a | b > f; c',
  'cat <<EOF | grep x && ls\nhello\nEOF',
  'x=$(whoami) y=`id` z',
  'f() { inner; }; f; outer',
  'if a; then b; elif c; then d; else e; fi',
  'for i in 1 2; do loop; done',
  'case x in x) hit;; *) miss;; esac',
  'diff <(left) >(right)',
  'time nice -n 1 timeout 5 env A=1 nohup inner2',
  'command -v git; command git status; builtin echo hi',
  "bash -c 'inner3; inner4'",
  "eval 'inner5 && inner6'",
  'echo "$(sub1)" `sub2` $(sub3 "$(sub4)")',
  'sudo -u root thing',
  'xargs -0 grep foo',
  'find . -exec stat {} \\;',
  '{ g1; g2; } > /dev/null; (s1; s2) &',
  '! neg && true || fallback',
  'a=(1 $(arr)) ; echo ${a[0]}',
  'trap "on_exit" EXIT; exit',
  // Heredoc bodies: where bash expands and tree-sitter gives no nodes (issue 10, class 1).
  'cat <<EOF\n`hd1`\nEOF',
  'cat <<-EOF\n\t$(hd2)\n\tEOF',
  'cat <<EOF\nplain `hd3` and $(hd4) and \\`not\\`\nEOF',
  "cat <<'EOF'\n`quoted1` $(quoted2)\nEOF",
  'cat <<\\EOF\n`quoted3`\nEOF',
  'cat <<EOF | grep x\n$(hd5 "$(hd6)")\nEOF',
];

let engine: PolicyEngine;
let root: string;
let stubs: string;
let envFile: string;

beforeAll(async () => {
  engine = await createPolicyEngine();
  if (!usable) return;
  root = mkdtempSync(path.join(os.tmpdir(), 'nome-differential-'));
  stubs = path.join(root, 'stubs');
  mkdirSync(stubs);
  // One logger; every stub is a symlink to it, so $0 names the program.
  writeFileSync(path.join(stubs, '.nome-log'), `#!/opt/nome-bash\nprintf 'EXEC %s\\n' "\${0##*/}" >> /log/calls\nexit 0\n`, { mode: 0o755 });
  for (const name of Object.keys(CATALOG)) {
    if (name.includes('/') || name === '.' || name === '[') continue;
    symlinkSync('.nome-log', path.join(stubs, name));
  }
  envFile = path.join(root, 'env.sh');
  writeFileSync(envFile, `command_not_found_handle() { printf 'EXEC %s\\n' "\${1##*/}" >> /log/calls; return 0; }\n`);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function runInSandbox(command: string, index: number): Promise<string[]> {
  const logDir = path.join(root, 'logs', String(index));
  mkdirSync(logDir, { recursive: true });
  writeFileSync(path.join(logDir, 'calls'), '');
  const args = [
    '--unshare-all', '--die-with-parent', '--new-session',
    '--ro-bind', '/usr/lib', '/usr/lib',
    ...(existsSync('/usr/lib64') ? ['--ro-bind', '/usr/lib64', '/usr/lib64', '--symlink', 'usr/lib64', '/lib64'] : []),
    '--symlink', 'usr/lib', '/lib',
    '--ro-bind', stubs, '/usr/bin', '--ro-bind', stubs, '/usr/sbin', '--ro-bind', stubs, '/usr/local/bin',
    '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin',
    '--ro-bind', BASH, '/opt/nome-bash', '--ro-bind', TIMEOUT, '/opt/nome-timeout', '--ro-bind', envFile, '/opt/nome-env.sh',
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--dir', '/ws', '--dir', '/home/u',
    '--bind', logDir, '/log', '--chdir', '/ws',
    '--clearenv', '--setenv', 'PATH', '/usr/bin', '--setenv', 'HOME', '/home/u', '--setenv', 'BASH_ENV', '/opt/nome-env.sh',
    '/opt/nome-timeout', '-s', 'KILL', '5', '/opt/nome-bash', '-c', command,
  ];
  return new Promise((resolve) => {
    const child = spawn(BWRAP, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('close', () => {
      const log = readFileSync(path.join(logDir, 'calls'), 'utf8');
      resolve(log.split('\n').filter((l) => l.startsWith('EXEC ')).map((l) => l.slice(5)));
    });
  });
}

async function pool<T, R>(items: T[], size: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

describe.skipIf(!usable)('parser differential against real bash', () => {
  it('every program bash executed was seen by the engine (commands not marked dynamic)', async () => {
    const corpus = readFileSync(CORPUS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { cmd: string }).cmd);
    const commands = [...new Set([...corpus, ...EXTRA])];
    const executed = await pool(commands, Math.max(2, os.availableParallelism()), runInSandbox);
    const misses: string[] = [];
    let checked = 0;
    let ranSomething = 0;
    commands.forEach((cmd, i) => {
      const r = engine.classify(cmd, { workspace: '/ws', home: '/home/u' });
      if (executed[i]!.length > 0) ranSomething++;
      if (r.commands.some((c) => c.dynamic)) return;
      checked++;
      const seen = new Set(r.commands.map((c) => path.posix.basename(c.argv[0] ?? '')));
      const unseen = executed[i]!.filter((p) => !seen.has(p));
      if (unseen.length > 0) misses.push(`${JSON.stringify(cmd)}: bash ran ${unseen.join(', ')}; engine saw ${[...seen].join(', ')}`);
    });
    // The sandbox really ran things (a broken harness would log nothing and pass vacuously).
    expect(ranSomething).toBeGreaterThan(commands.length / 2);
    expect(checked).toBeGreaterThan(commands.length / 2);
    expect(misses).toEqual([]);
  }, 120_000);
});
