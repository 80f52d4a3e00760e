/**
 * Reading the `rules` section of each layer file into plain rules, with the most restrictive
 * reading of anything broken (issue 4, point 2). A broken layer is never treated as absent:
 *
 *   - the file cannot be read, is not JSON, is not an object, or `rules` is not an array
 *       → one rule matching every path, in and out of the workspace, at noAccess
 *         (every path is something the layer could have covered: patterns may be absolute);
 *   - an entry that is not an object                      → every path, noAccess;
 *   - an unknown or missing level                         → the entry's pattern at noAccess;
 *   - a bad pattern (missing, negated, comment, `..`, …)  → every path at the entry's level, except
 *       that a bad pattern at readWrite grants nothing: a grant can only loosen, so its most
 *       restrictive reading is no grant at all;
 *   - unknown keys                                        → reported, the entry still applies.
 *
 * Runtime: plain Node.
 */
import type { LayerFile, LayerName } from '../layers';
import { BUILT_IN_RULES } from './builtin';
import { isLevel, LEVELS, type Level } from './types';

/** A rule before compilation, in precedence order (built-in first, then each layer's file order). */
export interface SourceRule {
  layer: LayerName;
  source: string;
  line: number | null;
  pattern: string;
  level: Level;
  /** Matches every path (the most restrictive reading of a broken entry or file). */
  everything?: boolean;
  note?: string;
}

const ENTRY_KEYS = new Set(['pattern', 'level', 'comment', 'description']);

/** Why `pattern` is not a usable layer pattern, or null when it is. */
export function patternProblem(pattern: unknown): string | null {
  if (typeof pattern !== 'string') return 'the pattern must be a string';
  if (pattern.trim() === '') return 'the pattern is empty';
  if (/[\n\r\0]/.test(pattern)) return 'the pattern contains a line break or NUL';
  if (pattern.startsWith('!')) return 'negated patterns ("!…") are not supported: rules can only restrict (escape a literal "!" as "\\!")';
  if (pattern.startsWith('#')) return 'a pattern starting with "#" is a comment in gitignore syntax (escape a literal "#" as "\\#")';
  if (/(^|[^\\])(\\\\)*\\$/.test(pattern)) return 'the pattern ends with an unpaired backslash';
  if (/^~[^/]/.test(pattern)) return 'only "~/" is supported, not "~user/"';
  const body = pattern.startsWith('~/') ? pattern.slice(2) : pattern;
  if (body.split('/').some((part) => part === '..' || part === '.')) return '"." and ".." are not allowed in patterns; write the path without them';
  return null;
}

/** The line number in a `file:line` string from LayerFile.where. */
function lineOf(where: string): number | null {
  const match = /:(\d+)$/.exec(where);
  return match ? Number(match[1]) : null;
}

export function builtInRules(): SourceRule[] {
  return BUILT_IN_RULES.map((rule) => ({ layer: 'built-in', source: 'built-in', line: null, pattern: rule.pattern, level: rule.level }));
}

export function layerRules(file: LayerFile): { rules: SourceRule[]; errors: string[] } {
  const rules: SourceRule[] = [];
  const errors: string[] = [];
  const base = { layer: file.layer, source: file.path };
  const denyAll = (line: number | null, note: string): SourceRule => ({ ...base, line, pattern: '**', level: 'noAccess', everything: true, note });
  if (!file.exists) return { rules, errors };
  if (file.error !== null) {
    errors.push(file.error);
    rules.push(denyAll(lineOf(file.error.replace(/: .*$/s, '')) ?? 1, 'most restrictive reading of a broken layer file: noAccess everywhere'));
    return { rules, errors };
  }
  const section = (file.json as Record<string, unknown>).rules;
  if (section === undefined) return { rules, errors };
  if (!Array.isArray(section)) {
    const where = file.where(['rules']);
    errors.push(`${where}: "rules" must be an array of {"pattern","level"} entries`);
    rules.push(denyAll(lineOf(where), 'most restrictive reading of a broken "rules" section: noAccess everywhere'));
    return { rules, errors };
  }
  section.forEach((entry: unknown, index) => {
    const where = file.where(['rules', index]);
    const line = lineOf(where);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(`${where}: a rule must be an object like {"pattern":"docs/**","level":"readOnly"}`);
      rules.push(denyAll(line, 'most restrictive reading of a broken rule: noAccess everywhere'));
      return;
    }
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!ENTRY_KEYS.has(key)) errors.push(`${file.where(['rules', index, key])}: unknown key "${key}" in a rule (expected "pattern" and "level")`);
    }
    let level: Level;
    let note: string | undefined;
    if (isLevel(record.level)) {
      level = record.level;
    } else {
      errors.push(`${file.where(['rules', index, 'level'])}: unknown level ${JSON.stringify(record.level) ?? 'undefined'} (expected ${LEVELS.join(', ')}); read as noAccess`);
      level = 'noAccess';
      note = 'unknown level read as noAccess';
    }
    const problem = patternProblem(record.pattern);
    if (problem !== null) {
      const at = file.where(['rules', index, 'pattern']);
      if (level === 'readWrite') {
        errors.push(`${at}: ${problem}; this readWrite rule grants nothing`);
        return;
      }
      errors.push(`${at}: ${problem}; read as matching every path at ${level}`);
      rules.push({ ...base, line, pattern: typeof record.pattern === 'string' ? record.pattern : '**', level, everything: true, note: `bad pattern read as matching every path at ${level}` });
      return;
    }
    rules.push({ ...base, line, pattern: (record.pattern as string).normalize('NFC'), level, ...(note ? { note } : {}) });
  });
  return { rules, errors };
}
