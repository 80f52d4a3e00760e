/**
 * Repository-aware git: reads the workspace's own git configuration (local file and everything it
 * includes, via `git config --local --list --includes --show-origin`, so include/includeIf are
 * resolved by git itself) and reports the keys that make git run programs.
 *
 * Reading config never runs any of those programs. The result is cached per workspace and
 * re-read when any contributing file changes.
 *
 * Freshness rule: every readRepoConfig() call stats the contributing files (.git, .git/config,
 * .git/hooks and every file git reported as an origin; mtime, size and inode) and re-reads on
 * any difference, so a change is always seen by the next classification. The engine calls it at
 * most once per workspace per classify (see Engine), and only when the command runs git. Without
 * a .git entry the files below it cannot exist, so only .git itself (and the origins) are stat'ed.
 * Runtime: plain Node.
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

interface Cached {
  stamp: string;
  config: RepoConfig;
}

const cache = new Map<string, Cached>();

const ABSENT = 'absent';

function mtime(file: string): string {
  // throwIfNoEntry: an absent file is the common case (no repository) and exceptions are slow.
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? `${s.mtimeMs}:${s.size}:${s.ino}` : ABSENT;
}

function stampOf(workspace: string, origins: readonly string[]): string {
  const dotGit = path.join(workspace, '.git');
  let stamp = mtime(dotGit);
  // No .git: .git/config and .git/hooks are absent too; skip two system calls.
  stamp += stamp === ABSENT ? `|${ABSENT}|${ABSENT}` : `|${mtime(path.join(dotGit, 'config'))}|${mtime(path.join(dotGit, 'hooks'))}`;
  for (const o of origins) stamp += `|${mtime(o)}`;
  return stamp;
}

const NO_REPO = /not in a git directory|can only be used inside a git repository|not a git repository/i;

export function readRepoConfig(workspace: string): RepoConfig {
  const hit = cache.get(workspace);
  if (hit) {
    const origins = hit.config.entries.get('\0origins') ?? [];
    if (hit.stamp === stampOf(workspace, origins)) return hit.config;
  }
  const config = load(workspace);
  cache.set(workspace, { stamp: stampOf(workspace, config.entries.get('\0origins') ?? []), config });
  return config;
}

function load(workspace: string): RepoConfig {
  const entries = new Map<string, string[]>();
  let output: string;
  try {
    output = execFileSync('git', ['config', '--local', '--list', '--includes', '--show-origin', '-z'], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Only the repository's own config is wanted; nothing here may start a pager or prompt.
      env: { ...process.env, GIT_PAGER: 'cat', PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    const stderr = String(e.stderr ?? '');
    if (e.status === 128 && NO_REPO.test(stderr)) return { entries, hooks: [], error: null };
    if (e.status === 1 && stderr.trim() === '') return { entries, hooks: hooksOf(workspace), error: null }; // a repository with an empty local config
    return { entries, hooks: [], error: e.code === 'ENOENT' ? 'git is not installed' : `git config failed: ${stderr.trim().split('\n')[0] || e.message}` };
  }
  const origins = new Set<string>();
  const parts = output.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const origin = parts[i]!;
    const kv = parts[i + 1]!;
    if (origin.startsWith('file:')) origins.add(origin.slice(5));
    const nl = kv.indexOf('\n');
    const key = (nl < 0 ? kv : kv.slice(0, nl)).toLowerCase();
    const value = nl < 0 ? '' : kv.slice(nl + 1);
    const list = entries.get(key);
    if (list) list.push(value);
    else entries.set(key, [value]);
  }
  entries.set('\0origins', [...origins].map((o) => path.resolve(workspace, o)));
  return { entries, hooks: hooksOf(workspace), error: null };
}

function hooksOf(workspace: string): string[] {
  try {
    return readdirSync(path.join(workspace, '.git', 'hooks')).filter((f) => !f.endsWith('.sample')).sort();
  } catch {
    return [];
  }
}

/** For tests: forget cached configurations. */
export function clearRepoConfigCache(): void {
  cache.clear();
}
