/**
 * The file permission gateway's public entry (DESIGN.md, "File permission gateway"; issue 4).
 * Everything else in this folder is internal.
 *
 * In short:
 *   - levels noAccess < readOnly < readWrite; layers built-in → managed → workspace →
 *     workspace-local → user, each file's `rules` section (`tools` belongs to src/main/policy);
 *   - effective level = minimum over every matching rule of every layer, else the default
 *     (readWrite inside the workspace, readOnly outside); the workspace's own layers may restrict
 *     anything but grant readWrite only inside the workspace;
 *   - patterns: gitignore semantics through the `ignore` library, relative to the workspace;
 *     a leading `/` or `~/` makes a pattern absolute; patterns without an inner slash also apply
 *     outside the workspace;
 *   - a path is matched as written (lexically resolved) and canonically (symlinks, physical `..`,
 *     NFC, case folded on case-insensitive volumes); the more restrictive wins;
 *   - broken layer files: see rules.ts for their most restrictive readings; built-in levels for
 *     NOME's own files: see builtin.ts.
 *
 * Runtime: plain Node.
 */
export type { Level, RuleMatch, Explanation, PermissionGateway, FileTarget, CheckResult, GatewayOptions, Access } from './types';
export { LEVELS, LEVEL_RANK, minLevel, permits, isLevel } from './types';
export { createPermissionGateway, describeRule, MAX_GLOB_PATHS, MAX_SUBTREE_ENTRIES } from './gateway';
export { BUILT_IN_RULES, type BuiltInRule } from './builtin';
export { ProtectedIndex, type ProtectedEntries, type ProtectedIndexOptions } from './protected';
export { fileTree, watchLayers, type FileTreeEntry, type FileTree, type LayerWatcher } from './tree';
