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
 * Every matching rule is needed (explain lists them all), so each space's patterns sit in a
 * segment tree of `ignore` instances that share their compiled rules: a node says whether any
 * rule below it matches (a rule matches a path when it matches the path or one of its parent
 * directories, as in git), so a path costs one scan of the root plus a descent to each match.
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
    const visit = (node: Node) => {
      if (!node.ig.ignores(p)) return;
      if (node.rule !== undefined) out.add(node.rule);
      else {
        visit(node.left!);
        visit(node.right!);
      }
    };
    visit(this.root!);
  }
}

export class CompiledRules {
  /** Indices of rules matching every path (most restrictive readings of broken entries). */
  readonly everything: number[] = [];
  private readonly entries: Record<Space, Entry[]> = { ws: [], abs: [], float: [] };
  private readonly trees = new Map<string, RuleTree>();

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

  /** Adds every rule of `space` matching `p`; `ignoreCase` on case-insensitive volumes. */
  collect(space: Space, p: string, ignoreCase: boolean, out: Set<number>): void {
    const key = `${space}:${ignoreCase}`;
    let tree = this.trees.get(key);
    if (tree === undefined) {
      tree = new RuleTree(this.entries[space], ignoreCase);
      this.trees.set(key, tree);
    }
    tree.collect(p, out);
  }
}
