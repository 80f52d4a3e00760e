/**
 * The policy engine's public entry: classify shell commands into tiers with reasons and file
 * targets, and decide (tool, tier) through the layered tool policy matrix.
 *
 * Spans in results are UTF-8 byte offsets `[start, end)` into the command as given.
 * Runtime: plain Node (never imports electron).
 */
import { Engine } from './engine';
import { loadBashParser } from './parser';
import { isInside, resolvePath } from './paths';
import type { ClassifyOptions, ClassifyResult, PolicyEngine } from './types';

export type { Tier, Reason, FileTarget, ClassifyResult, ClassifyOptions, PolicyEngine, Decision, CommandFacts } from './types';
export { loadToolMatrix, buildToolMatrix, BUILT_IN_TOOL_ENTRIES, DEFAULT_DECISIONS, KNOWN_TOOLS, type ToolMatrix, type ToolEntry, type MatrixDecision } from './matrix';

/** Loads the tree-sitter WASM once per process and returns an engine. */
export async function createPolicyEngine(): Promise<PolicyEngine> {
  return new Engine(await loadBashParser());
}

/**
 * Whether a classified command stays inside the workspace, for the matrix: every write target
 * is static and inside, no target is dynamic, and code it executes is confined by the sandbox.
 */
export function staysInsideWorkspace(result: ClassifyResult, options: ClassifyOptions = {}): boolean {
  if (result.executesCode && options.confined !== true) return false;
  const ctx = { workspace: options.workspace ?? null, home: options.home ?? '' };
  for (const f of result.files) {
    if (f.dynamic) return false;
    if (f.access !== 'write') continue;
    const abs = resolvePath(f.path, { ...ctx, home: ctx.home || process.env.HOME || '/' });
    if (abs === null || !isInside(abs, ctx)) return false;
  }
  return true;
}
