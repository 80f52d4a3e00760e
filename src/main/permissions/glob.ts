/**
 * Pathname expansion the way bash does it, for checking a glob before the shell expands it.
 *
 * A glob library is not enough: tinyglobby (like most) leaves symlinks out unless told to follow
 * them, and even then drops symlinks to directories and dangling ones, while bash lists every
 * directory entry a component matches, whatever it is. A missed `linked/*` → `.env` is a read the
 * gateway never sees, so this expands component by component with readdir, as bash does.
 *
 * Where bash's behaviour depends on its version or options, the expansion errs towards *more*
 * paths (every one is checked, so more can only be stricter):
 *   - `.*` also yields `.` and `..` (bash before 5.2, macOS's /bin/bash 3.2);
 *   - `**` is taken as globstar (zero or more directories), which includes its plain reading `*`;
 *   - a bracket expression that may match `.` lets a leading dot match, and a bracket that cannot
 *     be read matches any character;
 *   - `{a,b}` is expanded as brace expansion would have.
 * The caller's options say what the command line itself turned on (`shopt -s dotglob`, `nocaseglob`).
 *
 * Runtime: plain Node.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileTarget } from './types';

/** dotglob (`*` matches a leading dot) and nocaseglob. */
export type GlobOptions = NonNullable<FileTarget['globOptions']>;

/** Unescaped glob syntax in one component. */
const GLOB_PART = /(^|[^\\])(\\\\)*[*?[]/;

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  blank: ' \\t',
  xdigit: '0-9a-fA-F',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
};

const escapeRegex = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** A bracket expression at `at` → [regex source, end index after `]`, whether it may match `.`]; null when unterminated (then `[` is literal). */
function bracket(part: string, at: number): [string, number, boolean] | null {
  let i = at + 1;
  let negate = false;
  if (part[i] === '!' || part[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let dot = false;
  let first = true;
  for (; i < part.length; i++) {
    const c = part[i]!;
    if (c === ']' && !first) {
      // A negated class may match `.` too, but bash never lets one match a leading dot.
      return [`[${negate ? '^' : ''}${body}]`, i + 1, dot && !negate];
    }
    first = false;
    if (c === '[' && part[i + 1] === ':') {
      const end = part.indexOf(':]', i + 2);
      if (end > 0) {
        const name = part.slice(i + 2, end);
        // An unknown class cannot be read: any character, the larger reading.
        body += POSIX_CLASSES[name] ?? '\\s\\S';
        if (!(name in POSIX_CLASSES) || name === 'punct') dot = true;
        i = end + 1;
        continue;
      }
    }
    const literal = c === '\\' && i + 1 < part.length ? part[++i]! : c;
    if (literal === '.') dot = true;
    if (c === '-' && body !== '' && part[i + 1] !== ']') body += '-';
    else body += escapeRegex(literal);
  }
  return null;
}

/** One component → a matcher for directory entry names. */
function componentMatcher(part: string, opts: GlobOptions): (name: string) => boolean {
  let source = '';
  let leadingDot = false;
  for (let i = 0; i < part.length; ) {
    const c = part[i]!;
    if (c === '*') {
      source += '.*';
      i++;
    } else if (c === '?') {
      source += '.';
      i++;
    } else if (c === '[') {
      const b = bracket(part, i);
      if (b === null) {
        source += '\\[';
        i++;
      } else {
        if (i === 0 && b[2]) leadingDot = true;
        source += b[0];
        i = b[1];
      }
    } else if (c === '\\' && i + 1 < part.length) {
      if (i === 0 && part[1] === '.') leadingDot = true;
      source += escapeRegex(part[i + 1]!);
      i += 2;
    } else {
      if (i === 0 && c === '.') leadingDot = true;
      source += escapeRegex(c);
      i++;
    }
  }
  const re = new RegExp(`^${source}$`, opts.nocase ? 'si' : 's');
  const dot = leadingDot || opts.dot === true;
  return (name) => (dot || !name.startsWith('.')) && re.test(name);
}

/** Brace expansion of the first `{…,…}` or `{a..b}`-free alternation, recursively; other braces stay literal. */
export function expandBraces(pattern: string): string[] {
  for (let open = pattern.indexOf('{'); open >= 0; open = pattern.indexOf('{', open + 1)) {
    if (open > 0 && pattern[open - 1] === '\\') continue;
    let depth = 0;
    const commas: number[] = [];
    for (let i = open; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '\\') i++;
      else if (c === '{') depth++;
      else if (c === ',' && depth === 1) commas.push(i);
      else if (c === '}' && --depth === 0) {
        if (commas.length === 0) break;
        const bounds = [open, ...commas, i];
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) out.push(...expandBraces(head + pattern.slice(bounds[k]! + 1, bounds[k + 1]) + tail));
        return out;
      }
    }
  }
  return [pattern];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The directory's identity, so that a symlink loop is walked once. */
function identity(dir: string): string {
  try {
    const st = statSync(dir);
    return `${st.dev}:${st.ino}`;
  } catch {
    return dir;
  }
}

/** Joins without normalising: `..` must be taken physically (after symlinks), as the kernel does. */
const join = (dir: string, name: string) => (dir.endsWith(path.sep) ? dir + name : dir + path.sep + name);

/**
 * The paths `pattern` expands to, relative to `cwd` (absolute paths, as the shell would spell them
 * after `cwd/`); an empty list when nothing matches; null when more than `limit` paths match.
 * `pattern` has `~` already expanded.
 */
export function expandPathname(pattern: string, cwd: string, limit: number, opts: GlobOptions = {}): string[] | null {
  const out = new Set<string>();
  for (const alternative of expandBraces(pattern)) {
    const absolute = path.isAbsolute(alternative);
    const root = absolute ? path.parse(alternative).root : '';
    const parts = alternative.slice(root.length).split(/[\\/]+/).filter((part) => part !== '');
    let current = [absolute ? root : cwd];
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index]!;
      const last = index === parts.length - 1;
      const next: string[] = [];
      if (!GLOB_PART.test(part)) {
        const literal = part.replace(/\\(.)/g, '$1');
        // Below a glob, bash yields only paths that exist (a dangling symlink counts).
        const globbed = parts.slice(0, index).some((earlier) => GLOB_PART.test(earlier));
        for (const dir of current) if (!globbed || exists(join(dir, literal))) next.push(join(dir, literal));
      } else if (part === '**') {
        // Zero or more directories below each base (symlinked ones too, each walked once).
        const seen = new Set<string>();
        const stack = [...current];
        while (stack.length > 0) {
          const dir = stack.pop()!;
          const id = identity(dir);
          if (seen.has(id)) continue;
          seen.add(id);
          if (!last) next.push(dir);
          if (next.length > limit) return null;
          for (const name of listDir(dir)) {
            if (name.startsWith('.') && !opts.dot) continue;
            const child = join(dir, name);
            if (last) next.push(child);
            if (isDir(child)) stack.push(child);
          }
        }
      } else {
        const matches = componentMatcher(part, opts);
        // `.*` yields `.` and `..` in older bash (readdir never lists them); dotglob never does.
        const specials = ['.', '..'].filter(componentMatcher(part, { ...opts, dot: false }));
        for (const dir of current) {
          for (const name of [...specials, ...listDir(dir)]) {
            if (!matches(name)) continue;
            const child = join(dir, name);
            // Only directories (symlinked ones included) can hold the next component; the last one is any entry.
            if (last || isDir(child)) next.push(child);
          }
          if (next.length > limit) return null;
        }
      }
      current = next;
      if (current.length === 0) break;
    }
    // No glob syntax, or nothing matched: bash passes the word on unchanged.
    if (current.length > 0 && parts.some((part) => GLOB_PART.test(part))) for (const p of current) out.add(p);
    else out.add(absolute ? alternative : join(cwd, alternative));
    if (out.size > limit) return null;
  }
  return [...out].sort();
}
