/**
 * The file permission gateway's public entry (DESIGN.md, "File permission gateway"; issue 4).
 * Everything else in this folder is internal.
 *
 * Runtime: plain Node.
 */
export type { Level, RuleMatch, Explanation, PermissionGateway, FileTarget, CheckResult, GatewayOptions, Access } from './types';
export { LEVELS, LEVEL_RANK, minLevel, permits, isLevel } from './types';
export { createPermissionGateway, describeRule, MAX_GLOB_PATHS, MAX_SUBTREE_ENTRIES } from './gateway';
export { BUILT_IN_RULES, type BuiltInRule } from './builtin';
export { fileTree, watchLayers, type FileTreeEntry, type FileTree, type LayerWatcher } from './tree';
