/**
 * Compiling rules for matching. Matching itself is the `ignore` library's (gitignore semantics,
 * checked against git by test/integration/permissions/git-differential.test.ts); this module only
 * decides which path each pattern is matched against and finds *every* matching rule fast.
 *
 * Three spaces:
 *   ws     workspace-relative patterns, tested with the path relative to the workspace root;
 *   abs    `/abs/…` and `~/…` patterns (and built-in placeholders), tested with the path relative to `/`;
 *   float  patterns that match at any depth (no inner slash, or a leading double-star segment), tested with the
 *          path relative to `/` for paths outside the workspace, so `.env` is protected everywhere.
 *
 * Every matching rule is needed (explain lists them all), and scanning hundreds of patterns per
 * path is what makes matching slow, so a space is indexed once when compiled:
 *   - a pattern with a literal run of 3+ plain characters (`*.pem` → `.pem`) can only match a
 *     path containing that run (a rule matches a path when it matches the path or one of its
 *     parent directories, and those are prefixes of the path), so it is filed under one trigram of
 *     the run and only tested against paths containing that trigram and the run;
 *   - the rest (`*`, `?s`, `a/*`) sit in a segment tree of `ignore` instances sharing their
 *     compiled rules: a node says whether any rule below it matches, so a path costs one scan of
 *     the root plus a descent to each match.
 * Either way the final answer for each rule is the `ignore` library's.
 *
 * Runtime: plain Node.
 */
import ignore, { type Ignore } from 'ignore';
import type { SourceRule } from './rules';

export type Space = 'ws' | 'abs' | 'float';

interface Entry {
  rule: number;
  git: string;
}

/** Escapes glob syntax in a literal path so it can prefix a pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]]/g, '\\$&');
}

/** A pattern matches at any depth when it has no slash except a trailing one, or starts with a double-star segment. */
export function isFloating(pattern: string): boolean {
  const body = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  return !body.includes('/') || body.startsWith('**/');
}

export interface CompileContext {
  /** The home directory, lexically and with symlinks resolved (duplicates removed). */
  home: string[];
  /** Built-in placeholders (`{dataDir}` …) → the paths they stand for, in each form. */
  placeholders: Record<string, string[]>;
}

function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}

/** The root-anchored git patterns an absolute layer pattern stands for, or null for a relative one. */
export function absolutePatterns(pattern: string, ctx: CompileContext): string[] | null {
  const join = (bases: string[], rest: string) =>
    bases.map((base) => {
      const escaped = escapeGlob(toPosix(base)).replace(/\/+$/, '');
      const anchored = escaped.startsWith('/') ? escaped : `/${escaped}`;
      return anchored + rest;
    });
  const placeholder = /^\{(\w+)\}(.*)$/s.exec(pattern);
  if (placeholder) return join(ctx.placeholders[placeholder[1]!] ?? [], placeholder[2]!);
  if (pattern === '~') return join(ctx.home, '');
  if (pattern.startsWith('~/')) return join(ctx.home, pattern.slice(1));
  if (pattern.startsWith('/')) return [pattern];
  return null;
}

interface Node {
  ig: Ignore;
  rule?: number;
  left?: Node;
  right?: Node;
}

/** A segment tree of `ignore` instances over one space's patterns. */
class RuleTree {
  private root: Node | null = null;
  private queries = 0;

  constructor(
    private readonly entries: readonly Entry[],
    private readonly ignoreCase: boolean,
  ) {}

  private build(lo: number, hi: number): Node | null {
    if (lo >= hi) return null;
    if (hi - lo === 1) {
      const entry = this.entries[lo]!;
      return { ig: ignore({ ignorecase: this.ignoreCase }).add(entry.git), rule: entry.rule };
    }
    const mid = (lo + hi) >> 1;
    const left = this.build(lo, mid)!;
    const right = this.build(mid, hi)!;
    // Adding instances shares their compiled rules rather than recompiling them.
    return { ig: ignore({ ignorecase: this.ignoreCase }).add([left.ig, right.ig]), left, right };
  }

  /** Adds the index of every rule matching `p` (a relative posix path; trailing `/` for a directory). */
  collect(p: string, out: Set<number>): void {
    if (this.entries.length === 0 || p === '' || p === '/') return;
    // `ignore` caches every path it is asked about; rebuilding now and then bounds that memory
    // in a long-running host (compiling is cheap and lazy).
    if (this.root === null || ++this.queries > 50_000) {
      this.root = this.build(0, this.entries.length);
      this.queries = 0;
    }
    this.visit(this.root!, p, out);
  }

  private visit(node: Node, p: string, out: Set<number>): void {
    if (!node.ig.ignores(p)) return;
    if (node.rule !== undefined) out.add(node.rule);
    else {
      this.visit(node.left!, p, out);
      this.visit(node.right!, p, out);
    }
  }
}

/**
 * Runs of plain ASCII characters (2+) that every match of a pattern must contain, in order of
 * appearance. Runs stop at wildcards, escapes, slashes and spaces (trailing ones are trimmed by
 * gitignore). A simple bracket expression (`[0-9]`, `[!a]`) is skipped; anything after a bracket
 * that is not simple is ignored, so a different reading of it can never hide a required run.
 */
export function requiredLiterals(pattern: string): string[] {
  if (pattern.startsWith('!') || pattern.startsWith('#')) return [];
  const runs: string[] = [];
  let run = '';
  const flush = () => {
    if (run.length >= 2) runs.push(run);
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    const ch = pattern[i]!;
    if (ch === '[') {
      flush();
      const simple = /^\[[!^]?[^\][\\/]+\]/.exec(pattern.slice(i));
      if (simple === null) return runs;
      i += simple[0].length - 1;
      continue;
    }
    const plain = code > 0x20 && code < 0x7f && ch !== '*' && ch !== '?' && ch !== ']' && ch !== '\\' && ch !== '/';
    if (plain) {
      run += ch;
      continue;
    }
    flush();
    if (ch === '\\') i++; // the escaped character is not part of a plain run
  }
  flush();
  return runs;
}

const trigram = (text: string, at: number): number => text.charCodeAt(at) * 4294967296 + text.charCodeAt(at + 1) * 65536 + text.charCodeAt(at + 2);

interface Filtered {
  entry: Entry;
  literals: string[];
  ig: Ignore | null;
}

/** One space's patterns, indexed for one case mode. */
/**
 * The leading whole components of an anchored pattern that contain no glob syntax, unescaped
 * (`/home/u/.ssh/**` → `home/u/.ssh`, `src/lib/*.ts` → `src/lib`); null when there are none to
 * rely on. A rule like that can only match a path equal to the prefix or below it.
 */
export function staticPrefix(pattern: string, ignoreCase: boolean): string | null {
  if (!pattern.startsWith('/') && isFloating(pattern)) return null;
  // Trailing spaces are trimmed (or kept, when escaped) by gitignore: not worth reasoning about.
  if (pattern.endsWith(' ')) return null;
  const parts = pattern.replace(/^\//, '').replace(/\/$/, '').split('/');
  const prefix: string[] = [];
  for (const part of parts) {
    if (!/^(?:[^*?[\]\\]|\\[^\s])+$/.test(part)) break;
    prefix.push(part.replace(/\\(.)/g, '$1'));
  }
  if (prefix.length === 0) return null;
  const joined = prefix.join('/');
  // Case-insensitive regexes fold some non-ASCII letters that lower-casing does not (σ/ς): only ASCII then.
  if (ignoreCase && /[^ -~]/.test(joined)) return null;
  return ignoreCase ? joined.toLowerCase() : joined;
}

/** One space's patterns, indexed for one case mode. */
class SpaceIndex {
  private readonly tree: RuleTree;
  private readonly filtered: Filtered[] = [];
  /** Anchored patterns by static prefix → filtered indices. */
  private readonly prefixes = new Map<string, number[]>();
  /** Trigram (three UTF-16 code units packed in a number: no string slicing per lookup) → filtered indices. */
  private readonly buckets = new Map<number, number[]>();
  private readonly stamp: Uint32Array;
  private generation = 0;
  private queries = 0;

  constructor(
    entries: readonly Entry[],
    private readonly ignoreCase: boolean,
  ) {
    const rest: Entry[] = [];
    const file = <K>(map: Map<K, number[]>, key: K, entry: Entry, literals: string[]) => {
      const list = map.get(key) ?? [];
      list.push(this.filtered.length);
      map.set(key, list);
      this.filtered.push({ entry, literals, ig: null });
    };
    for (const entry of entries) {
      const literals = requiredLiterals(entry.git).map((run) => (ignoreCase ? run.toLowerCase() : run));
      const prefix = staticPrefix(entry.git, ignoreCase);
      if (prefix !== null) {
        file(this.prefixes, prefix, entry, literals);
        continue;
      }
      // File it under its least crowded trigram, to keep buckets short.
      let best = -1;
      let bestSize = Infinity;
      for (const literal of literals) {
        for (let i = 0; i + 3 <= literal.length; i++) {
          const tri = trigram(literal, i);
          const size = this.buckets.get(tri)?.length ?? 0;
          if (size < bestSize) {
            best = tri;
            bestSize = size;
          }
        }
      }
      if (best < 0) rest.push(entry);
      else file(this.buckets, best, entry, literals);
    }
    this.tree = new RuleTree(rest, ignoreCase);
    this.stamp = new Uint32Array(this.filtered.length);
  }

  collect(p: string, out: Set<number>): void {
    if (p === '' || p === '/') return;
    this.tree.collect(p, out);
    if (this.filtered.length === 0) return;
    // `ignore` caches every path it is asked about; dropping the instances now and then bounds
    // that memory in a long-running host.
    if (++this.queries > 50_000) {
      this.queries = 0;
      for (const f of this.filtered) f.ig = null;
    }
    // Lower-casing may turn a non-ASCII letter into an ASCII one (K → k): more candidates, never fewer.
    const key = this.ignoreCase ? p.toLowerCase() : p;
    const generation = ++this.generation;
    if (this.prefixes.size > 0) {
      // The path itself and each of its parent directories.
      for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) this.test(this.prefixes.get(key.slice(0, i)), p, key, generation, out);
      if (!key.endsWith('/')) this.test(this.prefixes.get(key), p, key, generation, out);
    }
    if (this.buckets.size > 0) for (let i = 0; i + 3 <= key.length; i++) this.test(this.buckets.get(trigram(key, i)), p, key, generation, out);
  }

  /** Tests each not yet tested candidate in `bucket` (a method, not a closure: this runs per path). */
  private test(bucket: number[] | undefined, p: string, key: string, generation: number, out: Set<number>): void {
    if (bucket === undefined) return;
    for (const index of bucket) {
      if (this.stamp[index] === generation) continue;
      this.stamp[index] = generation;
      const f = this.filtered[index]!;
      let present = true;
      for (const literal of f.literals) {
        if (!key.includes(literal)) {
          present = false;
          break;
        }
      }
      if (!present) continue;
      f.ig ??= ignore({ ignorecase: this.ignoreCase }).add(f.entry.git);
      if (f.ig.ignores(p)) out.add(f.entry.rule);
    }
  }
}

export class CompiledRules {
  /** Indices of rules matching every path (most restrictive readings of broken entries). */
  readonly everything: number[] = [];
  private readonly entries: Record<Space, Entry[]> = { ws: [], abs: [], float: [] };
  private readonly indexes = new Map<string, SpaceIndex>();

  constructor(
    readonly rules: readonly SourceRule[],
    ctx: CompileContext,
  ) {
    rules.forEach((rule, index) => {
      if (rule.everything) {
        this.everything.push(index);
        return;
      }
      const absolute = absolutePatterns(rule.pattern, ctx);
      if (absolute !== null) {
        for (const git of new Set(absolute)) this.entries.abs.push({ rule: index, git });
        return;
      }
      this.entries.ws.push({ rule: index, git: rule.pattern });
      if (isFloating(rule.pattern)) this.entries.float.push({ rule: index, git: rule.pattern });
    });
  }

  /**
   * Where the absolute rules at `level` point on the file system: for a glob-free pattern the path
   * itself (`~/.ssh/**` → `/home/u/.ssh`), for one with a glob the directory above its first glob
   * (`~/keys/*.pem` → `/home/u/keys`, to be searched). For the OS sandbox, which must find them.
   */
  absoluteRoots(level: SourceRule['level']): { path: string; glob: boolean }[] {
    const out = new Map<string, { path: string; glob: boolean }>();
    for (const entry of this.entries.abs) {
      if (this.rules[entry.rule]!.level !== level) continue;
      const body = entry.git.replace(/(\/\*\*)+\/?$/, '').replace(/\/+$/, '');
      const globAt = body.search(/(?<!\\)[*?[]/);
      const literal = (text: string) => text.replace(/\\(.)/g, '$1') || '/';
      const found = globAt < 0 ? { path: literal(body), glob: false } : { path: literal(body.slice(0, body.lastIndexOf('/', globAt))), glob: true };
      out.set(`${found.glob}:${found.path}`, found);
    }
    return [...out.values()];
  }

  /** Adds every rule of `space` matching `p`; `ignoreCase` on case-insensitive volumes. */
  collect(space: Space, p: string, ignoreCase: boolean, out: Set<number>): void {
    const key = `${space}:${ignoreCase}`;
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = new SpaceIndex(this.entries[space], ignoreCase);
      this.indexes.set(key, index);
    }
    index.collect(p, out);
  }
}
