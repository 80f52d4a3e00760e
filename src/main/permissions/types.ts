/** Shapes of the file permission gateway (DESIGN.md, "File permission gateway"). Runtime: plain Node. */
import type { LayerFile } from '../layers';
import type { LayerName } from '../layers';

/** Most restrictive first. */
export type Level = 'noAccess' | 'readOnly' | 'readWrite';

export const LEVELS: readonly Level[] = ['noAccess', 'readOnly', 'readWrite'];

/** Lower is more restrictive, so the effective level is a plain minimum. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = { noAccess: 0, readOnly: 1, readWrite: 2 };

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && Object.hasOwn(LEVEL_RANK, value);
}

export function minLevel(a: Level, b: Level): Level {
  return LEVEL_RANK[a] <= LEVEL_RANK[b] ? a : b;
}

export type Access = 'read' | 'write';

/** Whether `level` permits `access`: reading needs readOnly or better, writing needs readWrite. */
export function permits(level: Level, access: Access): boolean {
  return access === 'read' ? level !== 'noAccess' : level === 'readWrite';
}

export interface RuleMatch {
  layer: LayerName;
  /** The layer file's path, or 'built-in'. */
  source: string;
  /** 1-based line of the rule in its file; null for built-in rules. */
  line: number | null;
  pattern: string;
  level: Level;
  /** Which form of the path matched: the path as written (lexically resolved) or its canonical target. */
  matchedPath: string;
  /** Set when the rule is the most restrictive reading of a broken entry or file. */
  note?: string;
}

export interface Explanation {
  /** The canonical path: resolved, `..` collapsed, symlinks followed, NFC, case-folded on case-insensitive volumes. */
  path: string;
  level: Level;
  /** The most restrictive matching rule (ties go to the higher layer, then the earlier line); null when none matched. */
  winner: RuleMatch | null;
  /** Every matching rule, highest layer first. */
  matches: RuleMatch[];
  /** Set when the path could not be canonicalised (e.g. a symlink loop); the level is then noAccess. */
  error?: string;
}

/** One file target: from a file tool, or the policy engine's FileTarget (`path` with quotes and escapes removed). */
export interface FileTarget {
  path: string;
  access: Access;
  /** Unquoted glob characters: expanded against the workspace (or `cwd`) before checking. */
  glob?: boolean;
  /** Shell options the command line turned on that change what a glob matches (`shopt -s dotglob`). */
  globOptions?: { dot?: boolean; nocase?: boolean };
  /** The command reads or writes the whole subtree (grep -r, cp -r, tar c, …). */
  recursive?: boolean;
  /** Computed at run time ($VAR, $(…)): cannot be checked in advance, so ask. */
  dynamic?: boolean;
  /** Directory relative paths are resolved against; the workspace by default. */
  cwd?: string;
  /**
   * For recursive targets: gitignore-style patterns, relative to the target, that the command
   * provably skips (e.g. `grep -r --exclude=.env`). Only excluded entries may be left unchecked.
   */
  exclude?: string[];
}

export interface CheckResult {
  path: string;
  access: Access;
  level: Level;
  allowed: boolean;
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  winner: RuleMatch | null;
}

export interface PermissionGateway {
  explain(path: string): Explanation;
  /** One file target → level + allowed + reason. Globs expand against the workspace; recursive targets check their subtree; dynamic → ask. */
  check(target: FileTarget): CheckResult[];
  /** Broken layer files, as `file:line: message`. */
  readonly errors: string[];
  /**
   * Every entry under `dir` that may not be read (noAccess), as file-system paths, so that the OS
   * sandbox can hide them from code the command line does not show. A noAccess directory is listed
   * whole and not entered. `complete` is false when the walk could not finish (too large, an
   * unreadable entry): then the list cannot be trusted to hide everything.
   */
  secretsUnder(dir: string): { paths: string[]; complete: boolean; reason: string | null };
  /**
   * The effective level of a path that exists and is already canonical (a real path, as a
   * directory walk yields it): no symlink resolution, no file-system access beyond the volume's
   * case sensitivity. For indexes that evaluate many entries (see protected.ts).
   */
  levelOf(realPath: string, isDir: boolean): Level;
  /**
   * Where the absolute rules (`/…`, `~/…`, NOME's own paths) at `level` point: the path of a
   * glob-free pattern, or the directory to search for one with a glob (see matcher.ts).
   */
  absoluteRoots(level: Level): { path: string; glob: boolean }[];
  /** Re-read the layer files. */
  reload(): void;
  /** The layer files to watch. */
  layerFiles(): string[];
  /** The workspace as given, resolved. */
  readonly workspace: string;
}

export interface GatewayOptions {
  workspace: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /**
   * Whether the volume holding `existingPath` is case-insensitive. Probed on the file system by
   * default (once per device); injectable so tests can simulate a case-insensitive volume.
   */
  caseInsensitive?: (existingPath: string) => boolean;
  platform?: NodeJS.Platform;
  /** The layer files as already read for this request (see layers/readLayers); read from disk when absent. */
  layers?: readonly LayerFile[];
}
