/**
 * The tool policy matrix: (tool, tier, inside/outside the workspace) → allow | ask | deny.
 *
 * Layers come from the shared cascade reader (src/main/layers): built-in entries (data below),
 * then each layer file's `tools` section. Every matching entry of every layer counts and the most
 * restrictive decision wins, so no layer can loosen a built-in entry; only when nothing matches
 * do the defaults apply (read → allow, write inside the workspace → allow, otherwise ask).
 * A broken file or entry is reported as `file:line: message` and read as deny, never as absent.
 *
 * Runtime: plain Node.
 */
import { layerSources, readLayerFile, type LayerFile, type LayerName } from '../layers';
import type { Decision, Tier } from './types';

export interface ToolEntry {
  /** Tool name or glob: `shell`, `write_file`, `mcp:github/*`, `*`. */
  tool: string;
  /** A tier or `*`. */
  tier: Tier | '*';
  decision: Decision;
  /** Restricts the entry to targets inside or outside the workspace. */
  where?: 'inside' | 'outside';
}

export interface MatrixDecision {
  decision: Decision;
  layer: string;
  source: string;
  entry: unknown;
}

export interface ToolMatrix {
  decide(tool: string, tier: Tier, context: { insideWorkspace: boolean }): MatrixDecision;
  /** Problems found while reading the layers, as `file:line: message`. */
  errors: string[];
}

export const KNOWN_TOOLS = ['shell', 'read_file', 'write_file', 'edit_file', 'list_dir', 'search', 'fetch_url'] as const;

/** Built-in entries: they bind every layer (nothing may loosen them). */
export const BUILT_IN_TOOL_ENTRIES: readonly ToolEntry[] = [
  // Danger is never allowed without a person looking at it.
  { tool: '*', tier: 'danger', decision: 'ask' },
  // Writing outside the workspace always asks.
  { tool: '*', tier: 'write', decision: 'ask', where: 'outside' },
];

/** Used only when no entry of any layer matches. */
export const DEFAULT_DECISIONS: Record<Tier, { inside: Decision; outside: Decision }> = {
  read: { inside: 'allow', outside: 'allow' },
  write: { inside: 'allow', outside: 'ask' },
  danger: { inside: 'ask', outside: 'ask' },
};

const RANK: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };
const TIERS = new Set(['read', 'write', 'danger', '*']);
const DECISIONS = new Set(['allow', 'ask', 'deny']);

interface Loaded {
  entry: ToolEntry;
  layer: LayerName;
  source: string;
  order: number;
  match: RegExp;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Validates one layer file's `tools` section; broken parts become deny entries. */
export function toolEntriesOf(file: LayerFile, errors: string[]): ToolEntry[] {
  if (file.error) {
    errors.push(`${file.error} (read as deny for every tool)`);
    return [{ tool: '*', tier: '*', decision: 'deny' }];
  }
  if (!file.exists || file.json === null) return [];
  const tools = (file.json as Record<string, unknown>).tools;
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) {
    errors.push(`${file.where(['tools'])}: "tools" must be an array (read as deny for every tool)`);
    return [{ tool: '*', tier: '*', decision: 'deny' }];
  }
  const out: ToolEntry[] = [];
  tools.forEach((raw: unknown, i) => {
    const where = file.where(['tools', i]);
    const e = raw as Record<string, unknown>;
    const toolOk = typeof e?.tool === 'string' && e.tool.length > 0;
    const problems: string[] = [];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) problems.push('an entry must be an object');
    else {
      if (!toolOk) problems.push('"tool" must be a non-empty string');
      if (!TIERS.has(e.tier as string)) problems.push('"tier" must be read, write, danger or *');
      if (!DECISIONS.has(e.decision as string)) problems.push('"decision" must be allow, ask or deny');
      if (e.where !== undefined && e.where !== 'inside' && e.where !== 'outside') problems.push('"where" must be inside or outside');
      const extra = Object.keys(e).filter((k) => !['tool', 'tier', 'decision', 'where'].includes(k));
      if (extra.length > 0) problems.push(`unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
    }
    if (problems.length > 0) {
      // Most restrictive reading: deny this tool (every tool when the tool itself is unreadable).
      const tool = toolOk ? (e.tool as string) : '*';
      errors.push(`${where}: ${problems.join('; ')} (read as deny for ${tool === '*' ? 'every tool' : tool})`);
      out.push({ tool, tier: '*', decision: 'deny' });
      return;
    }
    out.push({ tool: e.tool as string, tier: e.tier as ToolEntry['tier'], decision: e.decision as Decision, ...(e.where ? { where: e.where as 'inside' | 'outside' } : {}) });
  });
  return out;
}

export function buildToolMatrix(files: readonly LayerFile[], builtIn: readonly ToolEntry[] = BUILT_IN_TOOL_ENTRIES): ToolMatrix {
  const errors: string[] = [];
  const loaded: Loaded[] = [];
  let order = 0;
  for (const entry of builtIn) loaded.push({ entry, layer: 'built-in', source: 'built-in', order: order++, match: globToRegExp(entry.tool) });
  for (const file of files) {
    for (const entry of toolEntriesOf(file, errors)) loaded.push({ entry, layer: file.layer, source: file.path, order: order++, match: globToRegExp(entry.tool) });
  }
  return {
    errors,
    decide(tool, tier, context) {
      let best: Loaded | null = null;
      for (const l of loaded) {
        const e = l.entry;
        if (e.tier !== '*' && e.tier !== tier) continue;
        if (e.where === 'inside' && !context.insideWorkspace) continue;
        if (e.where === 'outside' && context.insideWorkspace) continue;
        if (!l.match.test(tool)) continue;
        // Most restrictive wins; among equals the higher-precedence layer (earlier) explains it.
        if (!best || RANK[e.decision] > RANK[best.entry.decision]) best = l;
      }
      if (best) return { decision: best.entry.decision, layer: best.layer, source: best.source, entry: best.entry };
      const d = DEFAULT_DECISIONS[tier][context.insideWorkspace ? 'inside' : 'outside'];
      return { decision: d, layer: 'default', source: 'default', entry: null };
    },
  };
}

/** Reads every layer's `tools` section through the shared cascade reader. */
export function loadToolMatrix(workspace: string | null, env: NodeJS.ProcessEnv = process.env, layers?: readonly LayerFile[]): ToolMatrix {
  return buildToolMatrix(layers ?? layerSources(workspace, env).map(readLayerFile));
}
