/**
 * The file permission gateway (DESIGN.md, "File permission gateway"; issue 4): the layer cascade,
 * canonicalisation, `explain`, and `check` for the file targets of shell commands and file tools.
 *
 * Fail safe throughout: anything that goes wrong while checking is a deny with a readable reason,
 * a broken layer file is read as restrictively as possible, and a path that cannot be known in
 * advance is ask, never allow.
 *
 * Runtime: plain Node.
 */
import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import { dataDir } from '../host/paths';
import { layerSources, managedPolicyPath, readLayerFile, type LayerFile } from '../layers';
import { canonicalize, defaultHome, expandTilde, nearestExisting, probeCaseInsensitive, rawAbsolute, type Canonical } from './canonical';
import { expandPathname, type GlobOptions } from './glob';
import { CompiledRules } from './matcher';
import { builtInRules, layerRules, type SourceRule } from './rules';
import {
  minLevel,
  permits,
  type Access,
  type CheckResult,
  type Explanation,
  type FileTarget,
  type GatewayOptions,
  type Level,
  type PermissionGateway,
  type RuleMatch,
} from './types';

/** A recursive target with more entries than this is ask: checking it would take too long. */
export const MAX_SUBTREE_ENTRIES = 100_000;
/** A glob expanding to more paths than this is ask. */
export const MAX_GLOB_PATHS = 10_000;

/** One form of a path that rules are matched against. */
interface Form {
  /** NFC, and lower-cased on a case-insensitive volume. */
  key: string;
  /** NFC, as spelt, for messages. */
  display: string;
  ci: boolean;
  isDir: boolean;
}

interface Evaluation {
  level: Level;
  winner: RuleMatch | null;
  matches: RuleMatch[];
}

interface Detailed {
  explanation: Explanation;
  canonical: Canonical | null;
  /** The path as written, resolved lexically (NFC). */
  written: string;
  isDir: boolean;
  /** Every form is inside the workspace (otherwise the outside default applied to one of them). */
  inside: boolean;
}

const GLOB_CHARS = /[*?[{]/;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toPosix(p: string): string {
  return path.sep === '\\' ? p.replace(/\\/g, '/') : p;
}

/** `built-in rule ".env"` or `rule "docs/**" (workspace /ws/.nome/permissions.json:3)`. */
export function describeRule(rule: RuleMatch): string {
  if (rule.layer === 'built-in') return `built-in rule "${rule.pattern}"`;
  const where = rule.line === null ? rule.source : `${rule.source}:${rule.line}`;
  return `rule "${rule.pattern}" (${rule.layer} layer, ${where})${rule.note ? ` [${rule.note}]` : ''}`;
}

function describeLevel(level: Level, winner: RuleMatch | null, inside: boolean | null): string {
  if (winner) return `${level} by ${describeRule(winner)}`;
  return `${level} (default ${inside === false ? 'outside' : 'inside'} the workspace)`;
}

const verb = (access: Access) => (access === 'read' ? 'read of' : 'write to');

export function createPermissionGateway(opts: GatewayOptions): PermissionGateway {
  const workspace = path.resolve(opts.workspace);
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const home = path.resolve(opts.home ?? defaultHome(env));
  const probe = opts.caseInsensitive ?? probeCaseInsensitive;
  /** Case sensitivity per device: volumes do not change it while mounted. */
  const caseByDevice = new Map<number, boolean>();

  let compiled: CompiledRules;
  let errors: string[] = [];
  /** The workspace lexically and with symlinks resolved, NFC. */
  let workspaceForms: string[] = [];

  /** A path lexically and canonically (NFC), without duplicates. */
  const bothForms = (p: string): string[] => {
    const lexical = path.resolve(p).normalize('NFC');
    let real = lexical;
    try {
      real = canonicalize(lexical).path;
    } catch {
      // A loop: the lexical form alone.
    }
    return [...new Set([lexical, real])];
  };

  /** The snapshot given by the caller is used once, by the first load; a reload reads the files again. */
  let given: readonly LayerFile[] | undefined = opts.layers;
  function load(): void {
    const placeholders: Record<string, string[]> = {
      dataDir: bothForms(dataDir(env, platform)),
      managedPolicy: bothForms(managedPolicyPath(env, platform)),
      workspace: bothForms(workspace),
    };
    // Built-in patterns keep their placeholder as written; the note says what it stands for.
    const rules: SourceRule[] = builtInRules().map((rule) => {
      const name = /^\{(\w+)\}/.exec(rule.pattern)?.[1];
      return name ? { ...rule, note: `{${name}} is ${placeholders[name]?.join(' and ')}` } : rule;
    });
    const found: string[] = [];
    try {
      const files = given ?? layerSources(workspace, env, platform).map(readLayerFile);
      given = undefined;
      for (const file of files) {
        const read = layerRules(file);
        rules.push(...read.rules);
        found.push(...read.errors);
      }
    } catch (error) {
      // Unexpected: the layers cannot be told apart, so the whole cascade reads as noAccess.
      found.push(`permissions: cannot read the layer files: ${message(error)}`);
      rules.push({ layer: 'managed', source: 'unknown', line: null, pattern: '**', level: 'noAccess', everything: true, note: 'layer files unreadable' });
    }
    workspaceForms = placeholders.workspace!;
    compiled = new CompiledRules(rules, { home: bothForms(home), placeholders });
    errors = found;
  }

  /** Whether `p`'s volume is case-insensitive; `dev` when already known (p exists). */
  function caseInsensitive(p: string, dev: number | null = null): boolean {
    if (dev !== null) {
      const known = caseByDevice.get(dev);
      if (known !== undefined) return known;
    }
    const existing = nearestExisting(p);
    if (existing === null) return true;
    let answer = caseByDevice.get(existing.dev);
    if (answer === undefined) {
      try {
        answer = probe(existing.dir);
      } catch {
        answer = true; // Folding only makes more rules match.
      }
      caseByDevice.set(existing.dev, answer);
    }
    return answer;
  }

  function form(p: string, isDir: boolean, ci: boolean = caseInsensitive(p)): Form {
    return { key: ci ? p.toLowerCase() : p, display: p, ci, isDir };
  }

  /** The path relative to the workspace (posix, '' for the root), or null when outside it. */
  function relativeToWorkspace(f: Form): string | null {
    for (const ws of workspaceForms) {
      const root = f.ci ? ws.toLowerCase() : ws;
      if (f.key === root) return '';
      const prefix = root.endsWith(path.sep) ? root : root + path.sep;
      if (f.key.startsWith(prefix)) return toPosix(f.key.slice(prefix.length));
    }
    return null;
  }

  /** Per form: the minimum over its matching rules, else its default; overall: the minimum over forms. */
  function evaluate(forms: Form[]): Evaluation & { inside: boolean } {
    const matched = new Map<number, string>();
    let level: Level = 'readWrite';
    let inside = true;
    for (const f of forms) {
      const found = new Set<number>(compiled.everything);
      const rel = relativeToWorkspace(f);
      const within = rel !== null;
      inside &&= within;
      const slash = f.isDir ? '/' : '';
      const rootRel = toPosix(f.key.slice(path.parse(f.key).root.length));
      if (within && rel !== '') compiled.collect('ws', rel + slash, f.ci, found);
      if (rootRel !== '') {
        compiled.collect('abs', rootRel + slash, f.ci, found);
        if (!within) compiled.collect('float', rootRel + slash, f.ci, found);
      }
      let formLevel: Level | null = null;
      for (const index of found) {
        const rule = compiled.rules[index]!;
        // A workspace's own layers (committed by whoever wrote the repository) may restrict
        // anything but grant write access only inside the workspace.
        if (!within && rule.level === 'readWrite' && (rule.layer === 'workspace' || rule.layer === 'workspace-local')) continue;
        formLevel = formLevel === null ? rule.level : minLevel(formLevel, rule.level);
        if (!matched.has(index)) matched.set(index, f.display);
      }
      level = minLevel(level, formLevel ?? (within ? 'readWrite' : 'readOnly'));
    }
    const matches: RuleMatch[] = [...matched.keys()]
      .sort((a, b) => a - b)
      .map((index) => {
        const rule = compiled.rules[index]!;
        return {
          layer: rule.layer,
          source: rule.source,
          line: rule.line,
          pattern: rule.pattern,
          level: rule.level,
          matchedPath: matched.get(index)!,
          ...(rule.note ? { note: rule.note } : {}),
        };
      });
    // Ties between equal levels go to the higher layer, then the earlier line: the sort order.
    const winner = matches.find((m) => m.level === level) ?? null;
    return { level, winner, matches, inside };
  }

  function detailed(input: string, cwd: string): Detailed {
    const raw = rawAbsolute(expandTilde(input, home), cwd);
    const written = path.resolve(raw).normalize('NFC');
    let canonical: Canonical;
    try {
      canonical = canonicalize(raw);
    } catch (error) {
      const partial = evaluate([form(written, /[\\/]$/.test(input))]);
      return {
        explanation: { path: written, level: 'noAccess', winner: null, matches: partial.matches, error: `cannot resolve ${input}: ${message(error)}` },
        canonical: null,
        written,
        isDir: false,
        inside: partial.inside,
      };
    }
    const isDir = canonical.isDir || /[\\/]$/.test(input);
    const forms = [form(canonical.path, isDir, caseInsensitive(canonical.path, canonical.dev))];
    if (written !== canonical.path) forms.push(form(written, isDir));
    const { level, winner, matches, inside } = evaluate(forms);
    return { explanation: { path: forms[0]!.key, level, winner, matches }, canonical, written, isDir, inside };
  }

  function explainAt(input: string, cwd: string): Explanation {
    try {
      return detailed(input, cwd).explanation;
    } catch (error) {
      return { path: input, level: 'noAccess', winner: null, matches: [], error: `cannot check ${input}: ${message(error)}` };
    }
  }

  const result = (
    p: string,
    access: Access,
    level: Level,
    decision: CheckResult['decision'],
    reason: string,
    winner: RuleMatch | null,
  ): CheckResult => ({ path: p, access, level, allowed: decision === 'allow', decision, reason, winner });

  /**
   * Walks a directory for entries the access is not permitted on. Symlinks are judged by their
   * targets, and symlinked directories are walked too: grep -R, rg -L, cp -L and tar -h follow
   * them, and nothing here says the command does not (each directory is walked once).
   */
  function scanSubtree(
    root: Detailed,
    access: Access,
    exclude: readonly string[],
    /** When given, every offender's file-system path is collected (a directory is not entered) and the walk goes on. */
    collect?: string[],
  ): { offender: { path: string; evaluation: Evaluation } | null; tooLarge: boolean; level: Level; failure: string | null } {
    const canonical = root.canonical!;
    const ciCanonical = caseInsensitive(canonical.path);
    const ciWritten = root.written === canonical.path ? ciCanonical : caseInsensitive(root.written);
    const excluded = exclude.length > 0 ? ignore({ ignorecase: ciCanonical }).add(exclude as string[]) : null;
    let level: Level = 'readWrite';
    let count = 0;
    const visited = new Set<string>([canonical.path]);
    const stack: { fsDir: string; canonical: string; written: string; rel: string }[] = [
      { fsDir: canonical.fsPath, canonical: canonical.path, written: root.written, rel: '' },
    ];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir.fsDir, { withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Unreadable for us is unreadable for the command too: nothing can leak from it.
        if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT') continue;
        return { offender: null, tooLarge: false, level: 'noAccess', failure: `cannot list ${dir.canonical}: ${message(error)}` };
      }
      for (const entry of entries) {
        const name = entry.name.normalize('NFC');
        const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
        const isDir = entry.isDirectory();
        if (excluded && excluded.ignores(isDir ? `${rel}/` : rel)) continue;
        if (++count > MAX_SUBTREE_ENTRIES) return { offender: null, tooLarge: true, level, failure: null };
        const canonicalPath = path.join(dir.canonical, name);
        const writtenPath = path.join(dir.written, name);
        // A symlink is judged by its target and by where it sits (resolved from the raw name, NFD
        // names too), and a symlinked directory is walked like a real one.
        let forms: Form[];
        let formIsDir = isDir;
        let next: { fsDir: string; canonical: string } | null;
        if (entry.isSymbolicLink()) {
          let target: Canonical;
          try {
            target = canonicalize(path.join(dir.fsDir, entry.name));
          } catch (error) {
            return { offender: null, tooLarge: false, level: 'noAccess', failure: `cannot resolve ${canonicalPath}: ${message(error)}` };
          }
          formIsDir = target.isDir;
          forms = [form(target.path, target.isDir, caseInsensitive(target.path, target.dev)), form(canonicalPath, target.isDir, ciCanonical)];
          next = target.isDir ? { fsDir: target.fsPath, canonical: target.path } : null;
        } else {
          forms = [form(canonicalPath, isDir, ciCanonical)];
          next = isDir ? { fsDir: path.join(dir.fsDir, entry.name), canonical: canonicalPath } : null;
        }
        if (writtenPath !== canonicalPath) forms.push(form(writtenPath, formIsDir, ciWritten));
        const evaluation = evaluate(forms);
        level = minLevel(level, evaluation.level);
        if (!permits(evaluation.level, access)) {
          if (!collect) return { offender: { path: canonicalPath, evaluation }, tooLarge: false, level, failure: null };
          collect.push(path.join(dir.fsDir, entry.name));
          continue;
        }
        if (next && !visited.has(next.canonical)) {
          visited.add(next.canonical);
          stack.push({ ...next, written: writtenPath, rel });
        }
      }
    }
    return { offender: null, tooLarge: false, level, failure: null };
  }

  function checkOne(input: string, target: FileTarget, cwd: string): CheckResult {
    const { access } = target;
    const info = detailed(input, cwd);
    const ex = info.explanation;
    if (ex.error) return result(ex.path, access, 'noAccess', 'deny', `${verb(access)} ${input} denied: ${ex.error}`, null);
    const own = permits(ex.level, access);
    const { inside } = info;
    if (!own) return result(ex.path, access, ex.level, 'deny', `${verb(access)} ${ex.path} denied: ${describeLevel(ex.level, ex.winner, inside)}`, ex.winner);
    if (target.recursive && info.canonical?.isDir) {
      const scan = scanSubtree(info, access, target.exclude ?? []);
      if (scan.failure !== null) return result(ex.path, access, 'noAccess', 'deny', `recursive ${verb(access)} ${ex.path} denied: ${scan.failure}`, null);
      if (scan.tooLarge) {
        return result(ex.path, access, scan.level, 'ask', `recursive ${verb(access)} ${ex.path}: more than ${MAX_SUBTREE_ENTRIES} entries, too many to check in advance`, null);
      }
      if (scan.offender) {
        const { path: offender, evaluation } = scan.offender;
        return result(
          ex.path,
          access,
          evaluation.level,
          'deny',
          `recursive ${verb(access)} ${ex.path} denied: it contains ${offender}, ${describeLevel(evaluation.level, evaluation.winner, null)}`,
          evaluation.winner,
        );
      }
      const level = minLevel(ex.level, scan.level);
      return result(ex.path, access, level, 'allow', `recursive ${verb(access)} ${ex.path}: every entry is at least ${level}`, ex.winner);
    }
    return result(ex.path, access, ex.level, 'allow', `${verb(access)} ${ex.path}: ${describeLevel(ex.level, ex.winner, inside)}`, ex.winner);
  }

  /** Expands a glob the way the shell would, relative to `cwd`; null when it expands to too many paths. */
  function expandGlob(pattern: string, cwd: string, opts: GlobOptions): string[] | null {
    return expandPathname(expandTilde(pattern, home), cwd, MAX_GLOB_PATHS, opts);
  }

  function checkTarget(target: FileTarget): CheckResult[] {
    const { access } = target;
    const cwd = target.cwd === undefined ? workspace : path.resolve(workspace, expandTilde(target.cwd, home));
    if (target.dynamic) {
      // Whatever it expands to is unknown; only when the literal text already lands on a
      // forbidden rule (`~/.ssh/$KEY`) is the answer known to be no.
      const literal = explainAt(target.path, cwd);
      if (!literal.error && literal.winner && !permits(literal.level, access)) {
        return [result(literal.path, access, literal.level, 'deny', `${verb(access)} ${target.path} denied: computed at run time, and its literal text already matches ${describeRule(literal.winner)} (${literal.level})`, literal.winner)];
      }
      return [result(target.path, access, literal.level, 'ask', `${verb(access)} ${target.path}: the path is computed at run time and cannot be checked in advance`, null)];
    }
    if (target.path === '') return [result(target.path, access, 'noAccess', 'ask', `${verb(access)} an empty path: cannot be checked`, null)];
    // No file name holds a NUL; a C-string consumer (a file tool) would stop there: `.env\0x` is `.env`.
    if (target.path.includes('\0')) return [result(target.path, access, 'noAccess', 'deny', `${verb(access)} a path containing NUL denied: it cannot be checked as the OS would read it`, null)];
    if (/^~[^/\\]/.test(target.path)) {
      return [result(target.path, access, 'noAccess', 'ask', `${verb(access)} ${target.path}: another user's home (~user) is not resolved`, null)];
    }
    if (target.glob && GLOB_CHARS.test(target.path)) {
      const paths = expandGlob(target.path, cwd, target.globOptions ?? {});
      if (paths === null) return [result(target.path, access, 'noAccess', 'ask', `${verb(access)} ${target.path}: the glob expands to more than ${MAX_GLOB_PATHS} paths`, null)];
      // No match: the shell passes the word through unchanged.
      if (paths.length === 0) return [checkOne(target.path, target, cwd)];
      return paths.map((p) => checkOne(p, target, cwd));
    }
    return [checkOne(target.path, target, cwd)];
  }

  load();

  return {
    workspace,
    get errors() {
      return errors;
    },
    explain: (p: string) => explainAt(p, workspace),
    check(target: FileTarget): CheckResult[] {
      try {
        // Anything but an explicit read is checked as a write, the stricter of the two.
        return checkTarget({ ...target, access: target.access === 'read' ? 'read' : 'write', path: String(target.path ?? '') });
      } catch (error) {
        const access = target?.access === 'read' ? 'read' : 'write';
        return [result(String(target?.path), access, 'noAccess', 'deny', `${verb(access)} ${String(target?.path)} denied: error while checking: ${message(error)}`, null)];
      }
    },
    secretsUnder(dir: string) {
      try {
        const info = detailed(dir, workspace);
        if (!info.canonical?.isDir) return { paths: [], complete: true, reason: null };
        const paths: string[] = [];
        const scan = scanSubtree(info, 'read', [], paths);
        if (scan.failure !== null) return { paths, complete: false, reason: scan.failure };
        if (scan.tooLarge) return { paths, complete: false, reason: `${dir} has more than ${MAX_SUBTREE_ENTRIES} entries` };
        return { paths, complete: true, reason: null };
      } catch (error) {
        return { paths: [], complete: false, reason: message(error) };
      }
    },
    levelOf(realPath: string, isDir: boolean): Level {
      try {
        const p = realPath.normalize('NFC');
        return evaluate([form(p, isDir)]).level;
      } catch {
        return 'noAccess';
      }
    },
    absoluteRoots: (level: Level) => compiled.absoluteRoots(level),
    reload: load,
    layerFiles: () => layerSources(workspace, env, platform).map((source) => source.path),
  };
}
