/**
 * Canonicalisation (issue 4, point 6): resolve against a base directory, collapse `..` the way the
 * kernel does (after following symlinks, not lexically), follow every symlink including dangling
 * ones (writing through `link → ~/.ssh/new` creates that file), and, for a path that does not exist
 * yet, resolve its nearest existing parent. Symlinks are followed on the raw bytes given (an NFD
 * name must still find its link); NFC and case folding are applied afterwards, for matching.
 *
 * Runtime: plain Node.
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Linux's limit; more means a loop. */
const MAX_SYMLINKS = 40;

export interface Canonical {
  /** Absolute, symlinks resolved, NFC (not case-folded). */
  path: string;
  /** The same path as the file system spells it (before NFC), for further file system calls. */
  fsPath: string;
  exists: boolean;
  isDir: boolean;
  /** The device, when the path exists (saves a stat when probing the volume's case sensitivity). */
  dev: number | null;
}

/** Expands a leading `~` or `~/` (the shell's tilde expansion); `~user` is left as written. */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\'))) return path.join(home, p.slice(2));
  return p;
}

/** Joins without normalising, so that `..` is later taken physically, after symlinks. */
export function rawAbsolute(p: string, base: string): string {
  return path.isAbsolute(p) ? p : `${base}${path.sep}${p}`;
}

function splitParts(p: string): string[] {
  return p.split(path.sep === '\\' ? /[\\/]+/ : /\/+/);
}

/** Walks `raw` one component at a time, following symlinks; missing components are kept as written. */
function walk(raw: string): string {
  const root = path.parse(raw).root;
  let current = root;
  let pending = splitParts(raw.slice(root.length));
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      // Missing or unreadable: nothing to follow; the rest is taken as written.
    }
    if (isLink) {
      if (++links > MAX_SYMLINKS) throw new Error(`too many levels of symbolic links at ${next}`);
      const target = readlinkSync(next);
      if (path.isAbsolute(target)) {
        const targetRoot = path.parse(target).root;
        current = targetRoot;
        pending = [...splitParts(target.slice(targetRoot.length)), ...pending];
      } else {
        pending = [...splitParts(target), ...pending];
      }
      continue;
    }
    current = next;
  }
  return current;
}

/** The canonical form of an absolute, unnormalised path. Throws on a symlink loop. */
export function canonicalize(raw: string): Canonical {
  let resolved: string;
  try {
    // The fast path for an existing file: realpath(3) follows links and takes `..` physically.
    resolved = realpathSync.native(raw);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new Error(`too many levels of symbolic links in ${raw}`, { cause: error });
    resolved = walk(raw);
  }
  let exists = false;
  let isDir = false;
  let dev: number | null = null;
  try {
    const st = statSync(resolved, { throwIfNoEntry: false });
    if (st) {
      exists = true;
      isDir = st.isDirectory();
      dev = st.dev;
    }
  } catch {
    // Unreadable (ENOTDIR, EACCES): treated as not existing.
  }
  return { path: resolved.normalize('NFC'), fsPath: resolved, exists, isDir, dev };
}

/** The device of `p`'s nearest existing ancestor (or itself), and that ancestor. */
export function nearestExisting(p: string): { dir: string; dev: number } | null {
  let current = p;
  for (;;) {
    try {
      const st = statSync(current, { throwIfNoEntry: false });
      if (st) return { dir: current, dev: st.dev };
    } catch {
      // ENOTDIR, EACCES: go up.
    }
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

const swapAsciiCase = (name: string) => name.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

/** Whether `entry` and its case-swapped name are the same file; null when the name has no ASCII letter. */
function sameUnderOtherCase(entry: string): boolean | null {
  const name = path.basename(entry);
  const swapped = swapAsciiCase(name);
  if (swapped === name) return null;
  try {
    const a = lstatSync(entry);
    const b = lstatSync(path.join(path.dirname(entry), swapped));
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/**
 * Probes whether the volume holding `existing` is case-insensitive: looks up a name on it with its
 * letters' case swapped. Uses the path's own components (up to the volume's mount point), then the
 * directory's entries. When nothing on the volume can tell, assumes case-insensitive: folding only
 * makes more rules match, which is the safe side.
 */
export function probeCaseInsensitive(existing: string): boolean {
  let dev: number;
  try {
    dev = statSync(existing).dev;
  } catch {
    return true;
  }
  for (let current = existing; ; ) {
    const answer = sameUnderOtherCase(current);
    if (answer !== null) return answer;
    const parent = path.dirname(current);
    if (parent === current) break;
    try {
      if (statSync(parent).dev !== dev) break;
    } catch {
      break;
    }
    current = parent;
  }
  try {
    for (const name of readdirSync(existing).slice(0, 100)) {
      const answer = sameUnderOtherCase(path.join(existing, name));
      if (answer !== null) return answer;
    }
  } catch {
    // Not a directory or unreadable.
  }
  return true;
}

export function defaultHome(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.HOME ?? env.USERPROFILE ?? os.homedir());
}
