/**
 * The layer cascade shared by the file permission gateway and the tool policy matrix.
 *
 * Layers, highest precedence first: built-in (compiled in, owned by each consumer) → managed →
 * workspace → workspace-local → user. Each non-built-in layer is one JSON file that may hold both
 * sections: `rules` (file permissions, src/main/permissions) and `tools` (the policy matrix,
 * src/main/policy). This module finds the files and reads them with positions, so a consumer can
 * report a bad entry as `file:line: message`; what a section means is the consumer's business.
 *
 * Runtime: plain Node.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { dataDir } from '../host/paths';

export type LayerName = 'built-in' | 'managed' | 'workspace' | 'workspace-local' | 'user';

/** Highest precedence first. */
export const LAYER_ORDER: readonly LayerName[] = ['built-in', 'managed', 'workspace', 'workspace-local', 'user'];

export interface LayerSource {
  layer: Exclude<LayerName, 'built-in'>;
  path: string;
}

/** The platform path of the org-managed policy when `$NOME_MANAGED_POLICY` is not set. */
export function managedPolicyPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.NOME_MANAGED_POLICY) return path.resolve(env.NOME_MANAGED_POLICY);
  if (platform === 'darwin') return '/Library/Application Support/NOME/managed-policy.json';
  if (platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'NOME', 'managed-policy.json');
  return '/etc/nome/managed-policy.json';
}

/** The files of every non-built-in layer, highest precedence first. */
export function layerSources(workspace: string | null, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): LayerSource[] {
  const sources: LayerSource[] = [{ layer: 'managed', path: managedPolicyPath(env, platform) }];
  if (workspace !== null) {
    sources.push({ layer: 'workspace', path: path.join(workspace, '.nome', 'permissions.json') });
    sources.push({ layer: 'workspace-local', path: path.join(workspace, '.nome', 'permissions.local.json') });
  }
  sources.push({ layer: 'user', path: path.join(dataDir(env, platform), 'permissions.json') });
  return sources;
}

export interface LayerFile extends LayerSource {
  /** False when the file does not exist: the layer is simply empty. */
  exists: boolean;
  /** The parsed document; null when absent or unreadable. */
  json: unknown;
  /**
   * Why the file as a whole could not be read (unreadable, invalid JSON, not an object), as
   * `file:line: message`; null when it parsed. Consumers must then apply the most restrictive
   * reading of the layer, never treat it as absent.
   */
  error: string | null;
  /** `file:line` of the value at a JSON path (e.g. ['rules', 3, 'level']), for messages. */
  where(at: readonly (string | number)[]): string;
  /** sha256 (hex) of exactly the bytes read; null when the file does not exist or could not be read. */
  sha256: string | null;
}

/**
 * One reading of every layer file: the snapshot a request is decided by. Everything that decides
 * (permissions, the matrix, standing approvals, the sandbox's view) takes the same snapshot, so the
 * policy version in a receipt names exactly the contents that made the decision.
 */
export function readLayers(workspace: string | null, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): LayerFile[] {
  return layerSources(workspace, env, platform).map(readLayerFile);
}

/** offset → 1-based line, with the line starts found once per file (a layer with many entries asks often). */
function lineIndex(text: string): (offset: number) => number {
  let starts: number[] | null = null;
  return (offset) => {
    if (starts === null) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

export function readLayerFile(source: LayerSource): LayerFile {
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { ...source, exists: false, json: null, error: null, where: () => source.path, sha256: null };
    }
    return { ...source, exists: true, json: null, error: `${source.path}: cannot be read (${code ?? String(error)})`, where: () => source.path, sha256: null };
  }
  return parseLayerText(source, text);
}

/** Parses a layer file's text strictly (no comments, no trailing commas) and keeps positions. */
export function parseLayerText(source: LayerSource, text: string): LayerFile {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const errors: ParseError[] = [];
  const tree: Node | undefined = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const lineAt = lineIndex(text);
  const where = (at: readonly (string | number)[]) => {
    const node = tree ? findNodeAtLocation(tree, [...at]) : undefined;
    return `${source.path}:${node ? lineAt(node.offset) : 1}`;
  };
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    const line = first ? lineAt(first.offset) : 1;
    const what = first ? printParseErrorCode(first.error) : 'empty file';
    return { ...source, exists: true, json: null, error: `${source.path}:${line}: invalid JSON (${what})`, where, sha256 };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ...source, exists: true, json: null, error: `${source.path}:1: invalid JSON (${(error as Error).message})`, where, sha256 };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ...source, exists: true, json: null, error: `${source.path}:1: a layer file must be a JSON object`, where, sha256 };
  }
  return { ...source, exists: true, json, error: null, where, sha256 };
}
