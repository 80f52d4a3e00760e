/**
 * The policy engine's public types. Runtime: plain Node.
 *
 * Spans are UTF-8 byte offsets `[start, end)` into the command exactly as given, because the CLI
 * contract and the approval dialog address the original bytes; tree-sitter's UTF-16 indices are
 * converted at the edge (see spans.ts).
 */
export type Tier = 'read' | 'write' | 'danger';

export interface Reason {
  /** Stable rule id, e.g. `redirect.outside-workspace`, `git.config`, `parse.error`. */
  rule: string;
  tier: Tier;
  text: string;
  /** UTF-8 byte offsets into the original command. */
  span: [number, number];
}

export interface FileTarget {
  /** The normalised word: quotes and escapes removed, `~` left as written. */
  path: string;
  access: 'read' | 'write';
  /** UTF-8 byte offsets of the word in the original command. */
  span: [number, number];
  /** The path is not known statically (expansions, substitutions, xargs input…). */
  dynamic: boolean;
  /** The word holds unquoted glob characters. */
  glob: boolean;
  /** The command reads or writes the whole subtree below the path (grep -r, cp -r, tar c, globs…). */
  recursive: boolean;
}

export interface CommandFacts {
  argv: string[];
  tier: Tier;
  dynamic: boolean;
}

export interface ClassifyResult {
  tier: Tier;
  executesCode: boolean;
  reasons: Reason[];
  commands: CommandFacts[];
  files: FileTarget[];
}

export interface ClassifyOptions {
  /** The workspace root (absolute). Null or absent: relative paths count as inside, absolute ones as outside. */
  workspace?: string | null;
  /** True when the OS sandbox confines commands that execute code (workspace writes only, no network). */
  confined?: boolean;
  /** Home directory used to resolve `~`; defaults to os.homedir(). */
  home?: string;
}

export interface PolicyEngine {
  classify(command: string, options?: ClassifyOptions): ClassifyResult;
}

export type Decision = 'allow' | 'ask' | 'deny';

export const TIER_RANK: Record<Tier, number> = { read: 0, write: 1, danger: 2 };

export function maxTier(a: Tier, b: Tier): Tier {
  return TIER_RANK[a] >= TIER_RANK[b] ? a : b;
}
