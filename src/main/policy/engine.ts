/**
 * The engine: parse → walk → classify, with nested command strings (bash -c, eval, ssh, su -c…)
 * parsed recursively into the same result. Never throws: any internal failure is a danger result.
 * Runtime: plain Node.
 */
import type { Parser } from 'web-tree-sitter';
import { readRepoConfig, type RepoConfig } from './git';
import { deleteTree, parseTree } from './tree';
import { defaultHome, type PathContext } from './paths';
import { Classifier, type ClassifyContext, type Sink } from './rules';
import { utf8Mapper } from './spans';
import type { ClassifyOptions, ClassifyResult, PolicyEngine, Reason } from './types';
import { Walker } from './walker';

/** Nested command strings deeper than this are not followed (danger). */
const MAX_NESTING = 8;

export class Engine implements PolicyEngine {
  /** os.homedir() once: it asks the OS on every call, and the process's home does not move. */
  private readonly home = defaultHome();

  constructor(private readonly parser: Parser) {}

  classify(command: string, options: ClassifyOptions = {}): ClassifyResult {
    const sink: Sink = { reasons: [], commands: [], files: [], executesCode: false, tier: 'read' };
    try {
      if (typeof command !== 'string') throw new TypeError('the command must be a string');
      const paths = { workspace: options.workspace ?? null, home: options.home ?? this.home };
      new Classification(this.parser, sink, paths, options.confined === true).run(command, null, 0, '');
      return finish(command, sink);
    } catch (error) {
      const len = typeof command === 'string' ? Buffer.byteLength(command) : 0;
      return {
        tier: 'danger',
        executesCode: sink.executesCode,
        reasons: [{ rule: 'engine.error', tier: 'danger', text: `the policy engine failed: ${error instanceof Error ? error.message : String(error)}`, span: [0, len] }],
        commands: [],
        files: [],
      };
    }
  }
}

/** One classify call: the top-level command and every nested command string it holds. */
class Classification {
  /** Git configuration per directory git runs in, checked for changes once per classify (see git.ts). */
  private repos: Map<string, RepoConfig> | null = null;

  constructor(
    private readonly parser: Parser,
    private readonly sink: Sink,
    readonly paths: PathContext,
    readonly confined: boolean,
  ) {}

  /** Classifies `text` run in the directory `cwd` (relative to the workspace); returns the directory it ends in. */
  run(text: string, override: [number, number] | null, depth: number, cwd: string | null): string | null {
    const sink = this.sink;
    if (depth > MAX_NESTING) {
      const [s, e] = override ?? [0, text.length];
      sink.reasons.push({ rule: 'nesting.too-deep', tier: 'danger', text: 'command strings nested too deeply to follow', start: s, end: e });
      sink.tier = 'danger';
      return null;
    }
    const tree = parseTree(this.parser, text);
    if (!tree) throw new Error('the parser returned no tree');
    let walker: Walker;
    try {
      walker = new Walker(text, tree);
      walker.run();
    } finally {
      // The walker copies what it needs out of the tree first (tree.ts).
      deleteTree(tree);
    }
    for (const r of walker.reasons) {
      sink.reasons.push(override ? { ...r, start: override[0], end: override[1] } : r);
      if (r.tier === 'danger' || (r.tier === 'write' && sink.tier === 'read')) sink.tier = r.tier;
    }
    const classifier = new Classifier(sink, new RunContext(this, override, depth, walker.functions), cwd);
    // What bash expands where the tree is silent (heredoc bodies) runs before the command that reads it.
    for (const hidden of walker.hidden) {
      const before = sink.commands.length;
      this.run(hidden.script, override ?? [hidden.start, hidden.end], depth + 1, cwd);
      // The `:` that carries the body is ours, not bash's: only what it expands is reported.
      const carrier = sink.commands.findIndex((c, i) => i >= before && c.argv[0] === ':');
      if (carrier >= 0) sink.commands.splice(carrier, 1);
    }
    for (const cmd of walker.commands) classifier.simple(cmd, walker.commands);
    return classifier.directory;
  }

  repoConfig(dir: string): RepoConfig {
    this.repos ??= new Map();
    let repo = this.repos.get(dir);
    if (!repo) {
      repo = readRepoConfig(dir);
      this.repos.set(dir, repo);
    }
    return repo;
  }
}

class RunContext implements ClassifyContext {
  readonly confined: boolean;
  readonly paths: PathContext;

  constructor(
    private readonly job: Classification,
    readonly override: [number, number] | null,
    readonly depth: number,
    readonly functions: ReadonlySet<string>,
  ) {
    this.confined = job.confined;
    this.paths = job.paths;
  }

  nested(text: string, start: number, end: number, depth: number, cwd: string | null): string | null {
    return this.job.run(text, [start, end], depth, cwd);
  }

  repoConfig(dir: string): RepoConfig {
    return this.job.repoConfig(dir);
  }
}

function finish(command: string, sink: Sink): ClassifyResult {
  const map = utf8Mapper(command);
  const reasons: Reason[] = sink.reasons.map((r) => ({ rule: r.rule, tier: r.tier, text: r.text, span: [map(r.start), map(r.end)] }));
  if (reasons.length === 0) reasons.push({ rule: 'empty', tier: 'read', text: 'no command to run', span: [0, map(command.length)] });
  const unsure = sink.reasons.some((r) => r.rule === 'parse.carriage-return');
  let tier = sink.tier;
  for (const r of reasons) if (r.tier === 'danger' || (r.tier === 'write' && tier === 'read')) tier = r.tier;
  return {
    tier,
    executesCode: sink.executesCode,
    reasons,
    // Where the engine knows its word boundaries may differ from bash's (a carriage return),
    // it cannot vouch for any argv: every command is dynamic.
    commands: sink.commands.map((c) => ({ argv: c.argv, tier: c.tier, dynamic: c.dynamic || unsure })),
    files: dedupe(sink.files).map((f) => ({ path: f.path, access: f.access, span: [map(f.start), map(f.end)], dynamic: f.dynamic, glob: f.glob, recursive: f.recursive })),
  };
}

/** A group redirection reaches every command inside it: report each target once. */
function dedupe(files: Sink['files']): Sink['files'] {
  if (files.length < 2) return files;
  const seen = new Set<string>();
  return files.filter((f) => {
    const key = `${f.access}\0${f.path}\0${f.start}\0${f.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
