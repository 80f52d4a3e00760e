/**
 * Repository-aware git: reads the configuration of the repository git would use in a directory
 * (the local file and everything it includes, via `git config --local --list --includes
 * --show-origin`, so include/includeIf are resolved by git itself), lists its hooks, and reports
 * the keys that make git run programs.
 *
 * The repository is found as git finds it: the directory may be the top of a work tree, a
 * subdirectory of one (a package in a monorepo), a linked worktree whose `.git` is a file, or a
 * nested repository inside the workspace. `git rev-parse` names the git directory, the common
 * directory (whose `config` a worktree shares) and the hooks directory, so hooks are found in all
 * of these. Neither command runs any program the configuration names.
 *
 * Freshness rule: every readRepoConfig() call stats the paths the answer depends on and re-reads
 * on any difference, so a change is always seen by the next classification: a `.git` entry in the
 * directory and each parent up to the work tree's top (to the root when there is no repository,
 * so a repository created above is noticed), the config files (and every file git reported as an
 * origin: mtime, size, inode) and the hooks directory's listing. The git directory itself is
 * watched by identity only: git rewrites its index and refs there on every command. The engine
 * calls this at most once per directory per classify (see Engine), and only when the command
 * runs git. Runtime: plain Node.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RepoConfig {
  /** Lower-cased keys (subsection case kept by git) → values. */
  entries: Map<string, string[]>;
  /** Non-sample hooks in .git/hooks: commit, merge, checkout… run them. */
  hooks: string[];
  /** Why the configuration could not be read; the caller then treats every git command as unknown. */
  error: string | null;
}

/** A path the answer depends on: its identity (files: also mtime and size), or a directory's listing. */
interface Watched {
  path: string;
  listing: boolean;
}

interface Cached {
  watched: Watched[];
  stamp: string;
  config: RepoConfig;
}

const cache = new Map<string, Cached>();
/** Directories git ran in, per process; past this many the cache starts over. */
const MAX_CACHED = 256;

function stampOf(watched: readonly Watched[]): string {
  let stamp = '';
  for (const w of watched) {
    // throwIfNoEntry: an absent path is the common case (no repository) and exceptions are slow.
    const s = statSync(w.path, { throwIfNoEntry: false });
    if (!s) stamp += '|-';
    else if (s.isDirectory()) stamp += w.listing ? `|d${s.ino}:${s.mtimeMs}` : `|d${s.ino}`;
    else stamp += `|f${s.ino}:${s.mtimeMs}:${s.size}`;
  }
  return stamp;
}

const NO_REPO = /not in a git directory|can only be used inside a git repository|not a git repository/i;

/** The configuration of the repository git uses when run in `dir` (absolute). */
export function readRepoConfig(dir: string): RepoConfig {
  const hit = cache.get(dir);
  if (hit && hit.stamp === stampOf(hit.watched)) return hit.config;
  const { config, watched } = load(dir);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(dir, { watched, stamp: stampOf(watched), config });
  return config;
}

/** `.git` in `dir` and each parent up to `top` (inclusive), or to the root when top is null. */
function dotGitChain(dir: string, top: string | null): Watched[] {
  const chain: Watched[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    chain.push({ path: path.join(d, '.git'), listing: false });
    if (d === top || path.dirname(d) === d) return chain;
  }
}

function gitOutput(dir: string, args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 5000,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only the repository's own config is wanted; nothing here may start a pager or prompt.
    env: { ...process.env, GIT_PAGER: 'cat', PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  });
}

interface GitFailure {
  stderr: string;
  status: number | null;
  message: string;
  missing: boolean;
}

function failure(error: unknown): GitFailure {
  const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number | null };
  return { stderr: String(e.stderr ?? '').trim(), status: e.status ?? null, message: e.message, missing: e.code === 'ENOENT' };
}

function unreadable(why: string): RepoConfig {
  return { entries: new Map(), hooks: [], error: why };
}

function load(dir: string): { config: RepoConfig; watched: Watched[] } {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    // Created later in the same command line (mkdir x && cd x && git …): what git finds there is not known now.
    return { config: unreadable(`the directory git would run in (${dir}) does not exist yet`), watched: [{ path: dir, listing: false }] };
  }
  let layout: string[];
  try {
    layout = gitOutput(dir, ['rev-parse', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks', '--show-toplevel']).split('\n');
  } catch (error) {
    const f = failure(error);
    const watched = dotGitChain(dir, null);
    if (f.status === 128 && NO_REPO.test(f.stderr)) return { config: { entries: new Map(), hooks: [], error: null }, watched };
    return { config: unreadable(f.missing ? 'git is not installed' : `git rev-parse failed: ${f.stderr.split('\n')[0] || f.message}`), watched };
  }
  const [gitDir, commonDir, hooksDir, top] = layout.map((line) => path.resolve(dir, line)) as [string, string, string, string];
  const watched: Watched[] = [
    // In a work tree's top, its `.git` is the git directory: the chain already watches it.
    ...dotGitChain(dir, top).filter((w) => w.path !== gitDir),
    { path: gitDir, listing: false },
    { path: path.join(commonDir, 'config'), listing: false },
    { path: path.join(gitDir, 'config.worktree'), listing: false },
    { path: hooksDir, listing: true },
  ];
  const hooks = hooksIn(hooksDir);
  const entries = new Map<string, string[]>();
  let output: string;
  try {
    output = gitOutput(dir, ['config', '--local', '--list', '--includes', '--show-origin', '-z']);
  } catch (error) {
    const f = failure(error);
    // A repository with an empty local config.
    if (f.status === 1 && f.stderr === '') return { config: { entries, hooks, error: null }, watched };
    return { config: unreadable(f.missing ? 'git is not installed' : `git config failed: ${f.stderr.split('\n')[0] || f.message}`), watched };
  }
  const parts = output.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const origin = parts[i]!;
    const kv = parts[i + 1]!;
    if (origin.startsWith('file:')) watched.push({ path: path.resolve(dir, origin.slice(5)), listing: false });
    const nl = kv.indexOf('\n');
    const key = (nl < 0 ? kv : kv.slice(0, nl)).toLowerCase();
    const value = nl < 0 ? '' : kv.slice(nl + 1);
    const list = entries.get(key);
    if (list) list.push(value);
    else entries.set(key, [value]);
  }
  return { config: { entries, hooks, error: null }, watched };
}

/** Hooks git would run: everything in the hooks directory but the samples git installs. */
function hooksIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => !f.endsWith('.sample')).sort();
  } catch {
    return [];
  }
}

/** For tests: forget cached configurations. */
export function clearRepoConfigCache(): void {
  cache.clear();
}
