/**
 * Applies the catalog to simple commands: name resolution, wrappers, flags, file roles, handlers
 * for the programs with their own syntax, and repository-aware git. Every tier above read comes
 * with a reason. Runtime: plain Node.
 */
import path from 'node:path';
import { CATALOG, GIT_HAZARDS, isDangerousEnv, GIT_SUBCOMMANDS, NETWORK_FETCHERS, SYSTEM_DIRS, type FlagRule, type ProgramRule, type Role } from './catalog';
import type { RepoConfig } from './git';
import { isHarmlessDevice, isInside, resolvePath, writeVerdict, type PathContext } from './paths';
import { maxTier, TIER_RANK, type Tier } from './types';
import type { RawReason, SimpleCommand, Word } from './walker';

export interface RawFile {
  path: string;
  access: 'read' | 'write';
  start: number;
  end: number;
  dynamic: boolean;
  glob: boolean;
  recursive: boolean;
}

export interface RawCommand {
  argv: string[];
  tier: Tier;
  dynamic: boolean;
}

/** What one classification accumulates; spans are UTF-16 indices into the top-level command. */
export interface Sink {
  reasons: RawReason[];
  commands: RawCommand[];
  files: RawFile[];
  executesCode: boolean;
  tier: Tier;
}

export interface ClassifyContext {
  confined: boolean;
  paths: PathContext;
  /**
   * Parses and classifies a nested command string (bash -c, eval, ssh …) into the same sink, run
   * in the directory `cwd` (see Classifier.cwd); returns the directory the string ends in.
   */
  nested(text: string, start: number, end: number, depth: number, cwd: string | null): string | null;
  /** Nested parses report every span as the span of the word that held the string. */
  override: [number, number] | null;
  depth: number;
  functions: ReadonlySet<string>;
  /** The configuration of the repository git uses in `dir`, checked for changes at most once per classify (git.ts). */
  repoConfig(dir: string): RepoConfig;
}

interface IO {
  cmd: SimpleCommand;
  all: readonly SimpleCommand[];
}

interface Part {
  argv: string[];
  tier: Tier;
  dynamic: boolean;
}

const valueSets = new WeakMap<object, Set<string>>();
function valueSet(spec: { values?: string } | undefined): Set<string> {
  if (!spec) return new Set();
  let s = valueSets.get(spec);
  if (!s) {
    s = new Set((spec.values ?? '').split(' ').filter(Boolean));
    valueSets.set(spec, s);
  }
  return s;
}

interface InterpreterOptions {
  inline: Set<string>;
  inlineList: readonly string[];
  module: Set<string>;
  moduleList: readonly string[];
  safe: Set<string>;
}

const interpreterSets = new WeakMap<ProgramRule, InterpreterOptions>();

/** An interpreter entry's option lists as sets, split once per catalog entry rather than per command. */
function interpreterOptions(rule: ProgramRule): InterpreterOptions {
  let o = interpreterSets.get(rule);
  if (!o) {
    const inline = new Set((rule.opts?.inline ?? '').split(' ').filter(Boolean));
    const module = new Set((rule.opts?.module ?? '').split(' ').filter(Boolean));
    const safe = new Set((rule.opts?.safe ?? '').split(' ').filter(Boolean));
    o = { inline, inlineList: [...inline], module, moduleList: [...module], safe };
    interpreterSets.set(rule, o);
  }
  return o;
}

/** `catalog.git.push` → `git push`: the default reason text of an entry without `why`. */
function ruleLabel(id: string): string {
  const name = id.replace('catalog.', '');
  // Most ids name a program only: skip the regular expression then.
  return name.includes('.') ? name.replace(/\./g, ' ') : name;
}

/** Where the file name starts in a value that names one (see FlagRule.atFile), or -1. */
function atFile(value: string, form: NonNullable<FlagRule['atFile']>): number {
  // `@-` is standard input.
  if (value.endsWith('@-') || value.endsWith('<-')) return -1;
  if (form === 'start') return value.startsWith('@') && value.length > 1 ? 1 : -1;
  if (form === 'name') {
    const at = value.indexOf('@');
    return at >= 0 && !value.slice(0, at).includes('=') && at + 1 < value.length ? at + 1 : -1;
  }
  const m = /^[^=]*=[@<](?=.)/.exec(value);
  return m ? m[0].length : -1;
}

function sliceWord(w: Word, from: number): Word {
  return { value: w.value.slice(from), dynamic: w.dynamic, glob: w.glob, procSub: false, start: w.start, end: w.end };
}

/**
 * The catalog as Maps, built once. Program names come from words the walker assembled, which are
 * rarely internalised strings: a Map lookup hashes them once, where `Object.hasOwn` + indexing a
 * thousand-key object (a dictionary-mode object) looks each one up in the string table twice.
 */
const PROGRAMS: ReadonlyMap<string, ProgramRule> = new Map(Object.entries(CATALOG));
const GIT_SUBCOMMAND_RULES: ReadonlyMap<string, ProgramRule> = new Map(Object.entries(GIT_SUBCOMMANDS));

const SYNTHETIC = (start: number, end: number, value: string): Word => ({ value, dynamic: true, glob: false, procSub: false, start, end });

export class Classifier {
  /**
   * The shell's directory relative to the workspace after `cd`: '' = the workspace itself,
   * a path = that directory, null = not known statically (relative targets become dynamic).
   * Commands are taken in source order, which over-approximates subshells and branches.
   */
  private cwd: string | null;

  constructor(
    private readonly sink: Sink,
    private readonly ctx: ClassifyContext,
    cwd: string | null = '',
  ) {
    this.cwd = cwd;
  }

  /** The directory the commands classified so far leave the shell in. */
  get directory(): string | null {
    return this.cwd;
  }

  private changeDirectory(words: Word[]): void {
    const args = words.slice(1).filter((w) => !(!w.dynamic && /^-[LPe@]+$/.test(w.value)));
    const target = args[0];
    if (!target && words[0]!.value === 'cd') {
      this.cwd = '~'; // plain `cd` goes home
      return;
    }
    if (words[0]!.value === 'popd' || !target || target.dynamic || target.value === '-') {
      this.cwd = null;
      return;
    }
    const v = target.value;
    if (v.startsWith('~') || path.posix.isAbsolute(v)) this.cwd = v;
    else if (this.cwd !== null) this.cwd = this.cwd === '' ? v : path.posix.join(this.cwd, v);
  }

  /** A file word as the command will see it, given earlier `cd`s. */
  private relocate(w: Word): Word {
    if (this.cwd === '' || w.procSub || w.dynamic) return w;
    const v = w.value;
    if (v.startsWith('~') || path.posix.isAbsolute(v) || v.startsWith('/dev/')) return w;
    if (this.cwd === null) return { ...w, dynamic: true, value: `<unknown directory>/${v}` };
    return { ...w, value: path.posix.join(this.cwd, v) };
  }

  // ───────────────────────────── reasons ─────────────────────────────

  add(rule: string, tier: Tier, text: string, start: number, end: number, part?: Part): void {
    const o = this.ctx.override;
    this.sink.reasons.push({ rule, tier, text, start: o ? o[0] : start, end: o ? o[1] : end });
    this.sink.tier = maxTier(this.sink.tier, tier);
    if (part) part.tier = maxTier(part.tier, tier);
  }

  private code(rule: string, text: string, start: number, end: number, part?: Part): void {
    this.sink.executesCode = true;
    const tier: Tier = this.ctx.confined ? 'write' : 'danger';
    this.add(rule, tier, `${text} (executes code: ${this.ctx.confined ? 'write, the OS sandbox confines it' : 'danger, no OS sandbox confines it'})`, start, end, part);
  }

  private file(word: Word, access: 'read' | 'write', recursive: boolean, part?: Part): void {
    if (word.procSub) return;
    const w = this.relocate(word);
    if (!w.dynamic && isHarmlessDevice(w.value)) return;
    const o = this.ctx.override;
    this.sink.files.push({ path: w.value, access, start: o ? o[0] : w.start, end: o ? o[1] : w.end, dynamic: w.dynamic, glob: w.glob, recursive: recursive || w.glob });
    if (access === 'write') {
      if (w.dynamic) {
        // The static parts may still name a start-up file or a protected place ($HOME/.bashrc).
        const v = writeVerdict(w.value.replace(/^\$\{?HOME\}?/, '~'), this.ctx.paths);
        if (v.tier === 'danger' && v.rule !== 'file.outside-workspace' && v.rule !== 'file.other-home') this.add(v.rule, 'danger', v.text, w.start, w.end, part);
        else this.add('file.dynamic-write', 'write', `writes a file whose name is not known statically (${w.value})`, w.start, w.end, part);
        return;
      }
      const v = writeVerdict(w.value, this.ctx.paths);
      this.add(v.rule, v.tier, v.text, w.start, w.end, part);
      return;
    }
    if (w.dynamic) this.add('file.dynamic-read', 'write', `reads a file whose name is not known statically (${w.value}); the permission gateway cannot check it`, w.start, w.end, part);
  }

  /** Checks the words a builtin takes as variable names (see ProgramRule.names). */
  private variableNames(spec: NonNullable<ProgramRule['names']>, rule: ProgramRule, words: Word[], part: Part, io: IO): void {
    const flags = new Set((spec.flags ?? '').split(' ').filter(Boolean));
    const values = valueSet(rule);
    const names: Word[] = [];
    let nameref = false;
    let opts = true;
    let positional = 0;
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (opts && !w.dynamic && /^[-+][A-Za-z]+$/.test(v)) {
        if (spec.sets === 'assign' && v.startsWith('-') && v.includes('n')) nameref = true;
        for (let k = 1; k < v.length; k++) {
          const key = `-${v[k]!}`;
          if (!flags.has(key) && !values.has(key)) continue;
          const val = k + 1 < v.length ? sliceWord(w, k + 1) : words[++j];
          if (val && flags.has(key)) names.push(val);
          break;
        }
        continue;
      }
      if (opts && !w.dynamic && v === '--' && spec.args !== undefined) {
        opts = false;
        continue;
      }
      if (spec.args === undefined) continue; // test: the operands are not names
      opts = false;
      if (spec.args === 'all' || spec.args === positional) names.push(w);
      positional++;
    }
    // `declare -n ref=PATH`: assigning ref later assigns the variable it names.
    if (nameref) for (const a of io.cmd.assignments) if (a.value) names.push({ ...a.value, value: a.value.dynamic ? a.value.value : `${a.value.value}=` });
    for (const n of names) {
      if (n.dynamic) {
        this.add('variable.dynamic-name', 'danger', `the variable name ${n.value} is not known statically (a subscript in it runs code)`, n.start, n.end, part);
        continue;
      }
      const eq = n.value.indexOf('=');
      const name = spec.sets === 'assign' && eq > 0 ? n.value.slice(0, eq).replace(/\+$/, '') : n.value;
      const sub = /^([A-Za-z_]\w*)\[(.*)\]$/s.exec(name);
      if (sub && !/^([0-9]+|@|\*)$/.test(sub[2]!)) {
        this.add('arithmetic.subscript', 'danger', `the subscript of ${name} is expanded and evaluated, which can run code`, n.start, n.end, part);
      }
      if (spec.sets === 'always' || (spec.sets === 'assign' && eq > 0)) this.env(sub ? sub[1]! : name, n.start, n.end, false);
    }
  }

  private dynamicArg(w: Word, part: Part): void {
    this.add('arg.dynamic', 'write', `the argument ${w.value} is not known statically and may hold options or several words`, w.start, w.end, part);
  }

  // ───────────────────────────── simple commands ─────────────────────────────

  simple(cmd: SimpleCommand, all: readonly SimpleCommand[]): void {
    const hasWords = cmd.words.length > 0;
    for (const a of cmd.assignments) this.env(a.name, a.start, a.end, hasWords);
    for (const r of cmd.redirects) {
      if (r.target && r.access) this.file(r.target, r.access, false);
      if (r.substitutedInput) this.add('stdin.substituted', 'write', 'standard input is built from command output that NOME cannot see', r.start, r.end);
    }
    if (!hasWords) {
      if (cmd.assignments.length > 0 || cmd.redirects.length > 0) this.add('shell.assignment', 'read', 'sets shell variables or opens files only', cmd.start, cmd.end);
      return;
    }
    this.argv(cmd.words, { cmd, all }, 0);
  }

  private env(name: string, start: number, end: number, forCommand: boolean): void {
    if (isDangerousEnv(name)) {
      this.add('env.dangerous', 'danger', `setting ${name} changes which code programs${forCommand ? '' : ' run later in this shell'} run`, start, end);
    }
  }

  /** Classifies one argv (possibly the inner command of a wrapper). */
  private argv(words: Word[], io: IO, depth: number): void {
    if (depth > 12) {
      this.add('wrapper.too-deep', 'danger', 'too many nested wrappers', words[0]!.start, words[words.length - 1]!.end);
      return;
    }
    const name = words[0]!;
    const start = name.start;
    const end = words[words.length - 1]!.end;
    const part: Part = { argv: words.map((w) => w.value), tier: 'read', dynamic: words.some((w) => w.dynamic) };
    this.sink.commands.push(part);
    if (name.dynamic) {
      this.add('command.dynamic', 'danger', `the program name ${name.value} is not known statically`, name.start, name.end, part);
      return;
    }
    let prog = name.value;
    if (prog.includes('/')) {
      const dir = path.posix.dirname(prog);
      if (SYSTEM_DIRS.has(path.posix.normalize(dir))) prog = path.posix.basename(prog);
      else {
        this.code('program.path', `runs ${prog}, a program from a path rather than a system directory`, start, end, part);
        this.file(name, 'read', false, part);
        return;
      }
    }
    if (this.ctx.functions.has(prog)) {
      this.add('function.call', 'read', `calls the shell function ${prog}, classified where it is defined`, start, end, part);
      return;
    }
    if (prog === 'cd' || prog === 'pushd' || prog === 'popd') this.changeDirectory(words);
    const rule = PROGRAMS.get(prog);
    if (!rule) {
      this.code('program.unknown', `${prog} is not in NOME's catalog`, start, end, part);
      return;
    }
    const id = `catalog.${prog}`;
    if (rule.names) this.variableNames(rule.names, rule, words, part, io);
    switch (rule.handler) {
      case undefined:
        this.generic(rule, words, 1, part, id, io);
        return;
      case 'wrapper':
        this.wrapper(rule, words, part, id, io, depth);
        return;
      case 'privileged':
        this.privileged(rule, prog, words, part, id, io, depth);
        return;
      case 'env':
        this.envWrapper(words, part, id, io, depth);
        return;
      case 'command':
        this.commandBuiltin(words, part, id, io, depth);
        return;
      case 'shell':
        this.shell(prog, words, part, id, io);
        return;
      case 'interpreter':
        this.interpreter(rule, prog, words, part, id, io);
        return;
      case 'eval':
        this.evalLike(words.slice(1), part, id, 'eval runs its arguments as a command');
        return;
      case 'trap': {
        const args = words.slice(1).filter((w) => !w.value.startsWith('-') || w.dynamic);
        const first = args[0];
        this.add(id, 'read', 'sets a signal handler', start, end, part);
        if (first && first.value !== '' && first.value !== '-' && (args.length > 1 || first.dynamic)) this.evalLike([first], part, id, 'the trap handler runs later');
        return;
      }
      case 'source':
        this.add(id, 'read', `${prog} runs a file in this shell`, start, end, part);
        if (words[1]) {
          this.file(words[1], 'read', false, part);
          this.code('source.file', `${prog} ${words[1].value} runs the file's commands`, start, end, part);
        }
        return;
      case 'let':
        this.let(words, part, id);
        return;
      case 'link':
        this.generic(rule, words, 1, part, id, io);
        this.linkTargets(words, part);
        return;
      case 'alias':
        // With expand_aliases an alias's value runs in place of the name: classify it as a command.
        this.add(id, rule.tier, rule.why ?? 'defines an alias', start, end, part);
        for (const w of words.slice(1)) {
          const eq = w.value.indexOf('=');
          if (w.dynamic) this.dynamicArg(w, part);
          else if (eq > 0 && eq < w.value.length - 1) this.evalLike([sliceWord(w, eq + 1)], part, id, `the alias ${w.value.slice(0, eq)} runs this command`);
        }
        return;
      case 'xargs':
        this.xargs(rule, words, part, id, io, depth);
        return;
      case 'find':
        this.find(words, part, id, io, depth);
        return;
      case 'sed':
        this.sed(words, part, id);
        return;
      case 'awk':
        this.awk(words, part, id);
        return;
      case 'tar':
        this.tar(words, part, id);
        return;
      case 'dd':
        this.add(id, 'read', 'dd copies data', start, end, part);
        for (const w of words.slice(1)) {
          if (w.value.startsWith('if=')) this.file(sliceWord(w, 3), 'read', false, part);
          else if (w.value.startsWith('of=')) this.file(sliceWord(w, 3), 'write', false, part);
          else if (w.dynamic) this.dynamicArg(w, part);
        }
        return;
      case 'git':
        this.git(words, part, io);
        return;
      case 'ssh':
        this.ssh(rule, words, part, id);
        return;
      case 'cloud':
        this.cloud(rule, prog, words, part, id);
        return;
      case 'chmod':
        this.chmod(rule, words, part, id, io);
        return;
      case 'watch': {
        let j = 1;
        const values = valueSet(rule.opts);
        for (; j < words.length && words[j]!.value.startsWith('-'); j++) if (values.has(words[j]!.value)) j++;
        this.add(id, 'read', 'watch runs a command repeatedly through sh -c', start, end, part);
        if (j < words.length) this.evalLike(words.slice(j), part, id, 'watch runs its arguments through sh -c');
        return;
      }
    }
  }

  // ───────────────────────────── generic entries ─────────────────────────────

  private generic(rule: ProgramRule, words: Word[], i0: number, part: Part, id: string, io: IO): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const values = valueSet(rule);
    const positionals: Word[] = [];
    const effects: { key: string; fr: FlagRule; w: Word; val: Word | null }[] = [];
    const dynamics: Word[] = [];
    let endOpts = false;
    for (let j = i0; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (endOpts || v === '-' || !v.startsWith('-') || (w.dynamic && !/^-[A-Za-z-]/.test(v))) {
        if (rule.sub && positionals.length === 0) {
          if (w.dynamic) {
            this.add('command.dynamic-subcommand', 'danger', `the subcommand ${v} is not known statically`, w.start, w.end, part);
            return;
          }
          const sub = Object.hasOwn(rule.sub, v) ? rule.sub[v] : undefined;
          const next = sub ?? rule.other;
          if (next) {
            this.applyEffects(effects, rule, part, id);
            this.generic(next, words, j + 1, part, sub ? `${id}.${v}` : `${id}.other`, io);
            if (!sub) this.add(`${id}.other`, next.tier, `${v} is not a ${id.replace('catalog.', '')} subcommand NOME knows`, w.start, w.end, part);
            return;
          }
        }
        positionals.push(w);
        continue;
      }
      if (v === '--') {
        endOpts = true;
        continue;
      }
      if (w.dynamic) {
        dynamics.push(w);
        continue;
      }
      if (v.startsWith('--')) {
        const eq = v.indexOf('=');
        const key = eq < 0 ? v : v.slice(0, eq);
        const fr = rule.flags && Object.hasOwn(rule.flags, key) ? rule.flags[key] : undefined;
        if (!fr && !values.has(key)) {
          // getopt_long and git's parse-options accept any unambiguous prefix (`--outp=f` is `--output=f`).
          const abbr = abbreviations(rule, key);
          if (abbr.length > 0) {
            const val = eq >= 0 ? sliceWord(w, eq + 1) : abbr.some(([, a]) => a.value) ? (words[++j] ?? null) : null;
            for (const [full, a] of abbr) effects.push({ key: full, fr: a, w, val: a.value ? val : null });
            if (val?.dynamic && !abbr.some(([, a]) => a.value)) dynamics.push(val);
            continue;
          }
        }
        const takes = fr?.value || values.has(key);
        const val = eq >= 0 ? sliceWord(w, eq + 1) : takes ? (words[++j] ?? null) : null;
        if (fr) effects.push({ key, fr, w, val });
        else if (val?.dynamic) dynamics.push(val);
        continue;
      }
      const eqAt = v.indexOf('=');
      const single = eqAt > 2 && rule.flags && Object.hasOwn(rule.flags, v.slice(0, eqAt)) ? rule.flags[v.slice(0, eqAt)] : undefined;
      if (single) {
        // `-toolexec=cmd` (Go's flag package, openssl, terraform): one option with its value.
        effects.push({ key: v.slice(0, eqAt), fr: single, w, val: sliceWord(w, eqAt + 1) });
        continue;
      }
      const whole = rule.flags && Object.hasOwn(rule.flags, v) ? rule.flags[v] : undefined;
      if (whole || values.has(v)) {
        const val = whole?.value || values.has(v) ? (words[++j] ?? null) : null;
        if (whole) effects.push({ key: v, fr: whole, w, val });
        else if (val?.dynamic) dynamics.push(val);
        continue;
      }
      for (let k = 1; k < v.length; k++) {
        const key = `-${v[k]}`;
        const fr = rule.flags && Object.hasOwn(rule.flags, key) ? rule.flags[key] : undefined;
        const takes = fr?.value || values.has(key);
        if (takes) {
          const val = k + 1 < v.length ? sliceWord(w, k + 1) : (words[++j] ?? null);
          if (fr) effects.push({ key, fr, w, val });
          else if (val?.dynamic) dynamics.push(val);
          break;
        }
        if (fr) effects.push({ key, fr, w, val: null });
      }
    }
    const state = this.applyEffects(effects, rule, part, id, start, end);
    if (!rule.dynamicOk) for (const d of dynamics) this.dynamicArg(d, part);
    if (rule.argsTier && positionals.length > rule.argsTier.over) {
      this.add(`${id}.args`, rule.argsTier.tier, rule.argsTier.why, start, end, part);
      if (rule.argsTier.code) this.code(`${id}.args`, rule.argsTier.why, start, end, part);
    }
    const ar = rule.argsRaise;
    const raised = ar ? positionals.find((w) => w.dynamic || ar.match.test(w.value)) : undefined;
    if (ar && raised) {
      this.add(`${id}.arg`, ar.tier, `${ar.why} (${raised.value})`, raised.start, raised.end, part);
      if (ar.code) this.code(`${id}.arg`, ar.why, raised.start, raised.end, part);
    }
    const skip = state.noSkip ? 0 : (rule.skip ?? 0);
    for (let p = 0; p < positionals.length; p++) {
      const w = positionals[p]!;
      let role: Role = p < skip ? 'none' : state.role;
      if (p >= skip && rule.last && positionals.length - skip >= 2 && p === positionals.length - 1) role = rule.last;
      if (p === skip && rule.first) role = rule.first;
      if (rule.revPaths && !w.dynamic && w.value.includes(':')) this.file(sliceWord(w, w.value.indexOf(':') + 1), 'read', false, part);
      else if (role === 'none' || w.value === '-') {
        if (w.dynamic && !rule.dynamicOk) this.dynamicArg(w, part);
      } else this.file(w, role, state.recursive, part);
    }
    if (rule.recursiveDefault && state.recursive && positionals.length <= skip) this.file({ value: rule.recursiveDefault, dynamic: false, glob: false, procSub: false, start, end }, 'read', true, part);
    void io;
  }

  /** Emits the base reason (possibly lowered by a read-only flag such as --check) and flag effects. */
  private applyEffects(effects: { key: string; fr: FlagRule; w: Word; val: Word | null }[], rule: ProgramRule, part: Part, id: string, start = -1, end = -1) {
    const state = { role: rule.args ?? ('none' as Role), recursive: rule.recursive ?? false, noSkip: false };
    // Options before a subcommand (`kubectl --kubeconfig=f get`): the subcommand gives the base
    // tier, but the options' own effects still count.
    let base: Tier = 'read';
    if (start >= 0) {
      base = rule.tier;
      let lowered: string | null = null;
      for (const e of effects) {
        if (e.fr.tier && TIER_RANK[e.fr.tier] < TIER_RANK[base]) {
          base = e.fr.tier;
          lowered = e.key;
        }
      }
      this.add(id, base, rule.why ?? (lowered ? `${id.replace('catalog.', '')} ${lowered}` : ruleLabel(id)), start, end, part);
      if (rule.code) this.code(id, rule.why ?? 'runs code', start, end, part);
    }
    for (const { key, fr, w, val } of effects) {
      if (fr.readValues && val && !val.dynamic && fr.readValues.split(' ').includes(val.value)) continue;
      if (fr.tier && TIER_RANK[fr.tier] > TIER_RANK[base]) this.add(`${id}${key}`, fr.tier, fr.why ?? `${key} raises the tier`, w.start, w.end, part);
      if (fr.code) this.code(`${id}${key}`, fr.why ?? `${key} runs code`, w.start, w.end, part);
      if (fr.shell && val) this.evalLike([val], part, `${id}${key}`, fr.why ?? `${key} runs a shell command`);
      if (fr.file && val) this.file(val, fr.file, false, part);
      else if (val?.dynamic && !rule.dynamicOk) this.dynamicArg(val, part);
      const named = fr.atFile && val && !val.dynamic ? atFile(val.value, fr.atFile) : -1;
      if (named >= 0) {
        const f = sliceWord(val!, named);
        this.file(f, 'read', false, part);
        // `-F 'k=@file;type=text/plain'`: what follows `;` is an option, unless the name holds one.
        if (fr.atFile === 'form' && f.value.includes(';')) this.file({ ...f, value: f.value.slice(0, f.value.indexOf(';')) }, 'read', false, part);
      }
      if (fr.recursive) state.recursive = true;
      if (fr.args) state.role = fr.args;
      if (fr.noSkip) state.noSkip = true;
    }
    return state;
  }

  // ───────────────────────────── wrappers ─────────────────────────────

  /** Skips a wrapper's options; returns the index of the wrapped command. */
  private skipOptions(words: Word[], from: number, values: Set<string>, leading = 0): number {
    let j = from;
    for (; j < words.length; j++) {
      const v = words[j]!.value;
      if (words[j]!.dynamic) break;
      if (v === '--') {
        j++;
        break;
      }
      if (!v.startsWith('-') || v === '-') break;
      if (values.has(v)) j++;
      else if (!v.startsWith('--') && v.length > 2 && values.has(v.slice(0, 2))) continue;
    }
    return j + leading;
  }

  private wrapper(rule: ProgramRule, words: Word[], part: Part, id: string, io: IO, depth: number): void {
    const inline = rule.opts?.inline?.split(' ') ?? [];
    for (let k = 1; k < words.length && inline.length > 0; k++) {
      // `flock FILE -c CMD`: the command is a shell string, and it may follow the wrapper's operands.
      const v = words[k]!.value;
      const flag = inline.find((f) => v === f || (f.startsWith('--') && v.startsWith(`${f}=`)));
      if (!flag) continue;
      this.add(id, rule.tier, `${words[0]!.value} ${flag} runs a shell command`, words[0]!.start, words[0]!.end, part);
      const cmd = v === flag ? words[k + 1] : sliceWord(words[k]!, flag.length + 1);
      if (cmd) this.evalLike([cmd], part, id, `${words[0]!.value} ${flag} runs its command string`);
      else this.add(`${id}.c`, 'danger', `${flag} without a command string`, words[0]!.start, words[0]!.end, part);
      return;
    }
    const j = this.skipOptions(words, 1, valueSet(rule.opts), rule.opts?.leading ?? 0);
    this.add(id, rule.tier, `${words[0]!.value} runs the command that follows`, words[0]!.start, words[0]!.end, part);
    for (let k = 1; k < Math.min(j, words.length); k++) if (words[k]!.dynamic) this.dynamicArg(words[k]!, part);
    if (j < words.length) this.argv(words.slice(j), io, depth + 1);
  }

  private privileged(rule: ProgramRule, prog: string, words: Word[], part: Part, id: string, io: IO, depth: number): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    this.add(id, 'danger', `${prog}: privilege escalation`, start, end, part);
    const values = valueSet(rule.opts);
    // `su -c CMD` / `runuser -c CMD`: the command is a shell string.
    for (let k = 1; k < words.length; k++) {
      const v = words[k]!.value;
      if ((v === '-c' || v === '--command') && words[k + 1]) {
        this.evalLike([words[k + 1]!], part, id, `${prog} -c runs a shell command`);
        return;
      }
      if (v.startsWith('--command=')) {
        this.evalLike([sliceWord(words[k]!, 10)], part, id, `${prog} --command runs a shell command`);
        return;
      }
    }
    if (prog === 'su') return; // positionals are a user name and shell arguments
    const j = this.skipOptions(words, 1, values);
    if (j < words.length) this.argv(words.slice(j), io, depth + 1);
  }

  private envWrapper(words: Word[], part: Part, id: string, io: IO, depth: number): void {
    let j = 1;
    let dir: Word | null | undefined;
    const split = (arg: Word | undefined) => {
      this.add(id, 'read', 'env runs the command that follows', words[0]!.start, words[0]!.end, part);
      if (arg) this.inDirectory(dir, () => this.evalLike([arg, ...words.slice(j + 1)], part, id, 'env -S splits a string into a command'));
      else this.add(`${id}.S`, 'danger', 'env -S without a string', words[0]!.start, words[0]!.end, part);
    };
    for (; j < words.length; j++) {
      const w = words[j]!;
      let v = w.value;
      if (w.dynamic) {
        this.dynamicArg(w, part);
        continue;
      }
      if (v === '--') continue;
      if (v.startsWith('--')) {
        // coreutils takes any unambiguous prefix (`--ch=/` is --chdir=/).
        v = canonicalLong(v, ENV_LONG);
        const key = longKey(v);
        const val = v.length > key.length ? sliceWord({ ...w, value: v }, key.length + 1) : null;
        if (key === '--split-string') {
          if (!val) j++;
          split(val ?? words[j]);
          return;
        }
        if (key === '--chdir') {
          dir = val ?? words[++j] ?? null;
          continue;
        }
        if ((key === '--unset' || key === '--argv0') && !val) j++;
        continue;
      }
      if (v.startsWith('-') && v.length > 1) {
        // A cluster such as -iS'cmd' or -vC/: the first letter that takes a value takes the rest.
        for (let k = 1; k < v.length; k++) {
          const c = v[k]!;
          if (!'uCSPa'.includes(c)) continue;
          const rest = k + 1 < v.length ? sliceWord(w, k + 1) : null;
          if (!rest) j++;
          const val = rest ?? words[j];
          if (c === 'S') {
            split(val);
            return;
          }
          if (c === 'C') dir = val ?? null;
          break;
        }
        continue;
      }
      const eq = v.indexOf('=');
      if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v.slice(0, eq))) {
        this.env(v.slice(0, eq), w.start, w.end, true);
        continue;
      }
      break;
    }
    this.add(id, 'read', j < words.length ? 'env runs the command that follows' : 'env prints the environment', words[0]!.start, words[0]!.end, part);
    if (j < words.length) this.inDirectory(dir, () => this.argv(words.slice(j), io, depth + 1));
  }

  /**
   * Classifies what `fn` adds as run in `dir` (env -C, find -execdir): relative paths are placed
   * there; null is a directory not known statically; undefined leaves the directory as it is.
   */
  private inDirectory(dir: Word | null | undefined, fn: () => void): void {
    if (dir === undefined) {
      fn();
      return;
    }
    const saved = this.cwd;
    if (dir === null || dir.dynamic) this.cwd = null;
    else this.changeDirectory([{ ...dir, value: 'cd' }, dir]);
    try {
      fn();
    } finally {
      this.cwd = saved;
    }
  }

  private commandBuiltin(words: Word[], part: Part, id: string, io: IO, depth: number): void {
    let j = 1;
    let lookup = false;
    for (; j < words.length && words[j]!.value.startsWith('-') && !words[j]!.dynamic; j++) {
      if (words[j]!.value === '--') {
        j++;
        break;
      }
      if (/[vV]/.test(words[j]!.value)) lookup = true;
    }
    if (lookup) {
      this.add(id, 'read', 'command -v only looks a name up', words[0]!.start, words[words.length - 1]!.end, part);
      return;
    }
    this.add(id, 'read', 'command runs the command that follows', words[0]!.start, words[0]!.end, part);
    if (j < words.length) this.argv(words.slice(j), io, depth + 1);
  }

  /** Re-parses a command string given as arguments (eval, bash -c, ssh, watch …); `remote`: it runs on another host, not here. */
  private evalLike(args: Word[], part: Part, id: string, text: string, remote = false): void {
    const start = args[0]!.start;
    const end = args[args.length - 1]!.end;
    const dyn = args.find((a) => a.dynamic);
    if (dyn) {
      this.add(`${id}.dynamic`, 'danger', `${text}, and ${dyn.value} is not known statically`, start, end, part);
      return;
    }
    this.add(id, 'read', text, start, end, part);
    const o = this.ctx.override;
    // The string runs in this shell's directory (`cd /etc; sh -c 'echo > passwd'`); a `cd` inside
    // it moves this shell only for eval, but where a child shell went is left unknown rather than guessed.
    const after = this.ctx.nested(
      args.map((a) => a.value).join(' '),
      o ? o[0] : start,
      o ? o[1] : end,
      this.ctx.depth + 1,
      remote ? '' : this.cwd,
    );
    if (!remote && after !== this.cwd) this.cwd = id === 'catalog.eval' ? after : null;
  }

  // ───────────────────────────── shells and interpreters ─────────────────────────────

  private fromNetwork(io: IO): Word | null {
    const p = io.cmd.pipeline;
    if (!p) return null;
    for (const other of io.all) {
      if (!other.pipeline || other.pipeline.id !== p.id || other.pipeline.index >= p.index) continue;
      for (const w of other.words.slice(0, 4)) {
        if (w.dynamic) continue;
        if (NETWORK_FETCHERS.has(path.posix.basename(w.value))) return w;
      }
    }
    return null;
  }

  private shell(prog: string, words: Word[], part: Part, id: string, io: IO): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    let j = 1;
    let command = false;
    let stdin = false;
    for (; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        this.add(`${id}.dynamic`, 'danger', `${prog} gets an option or script that is not known statically (${v})`, w.start, w.end, part);
        return;
      }
      if (v === '--' || v === '-') {
        j++;
        break;
      }
      if (v === '--rcfile' || v === '--init-file') {
        this.code(`${id}.rcfile`, `${prog} ${v} runs a start-up file`, w.start, w.end, part);
        j++;
        continue;
      }
      if (v.startsWith('--')) continue;
      if (!/^[-+][A-Za-z]+$/.test(v)) break;
      if (v[0] === '-' && v.includes('c')) command = true;
      if (v[0] === '-' && v.includes('s')) stdin = true;
      if (/[oO]/.test(v.slice(1))) j++;
    }
    if (command) {
      const script = words[j];
      if (!script) {
        this.add(`${id}.c`, 'danger', `${prog} -c without a command string`, start, end, part);
        return;
      }
      this.evalLike([script], part, `${id}.c`, `${prog} -c runs its command string`);
      return;
    }
    if (j < words.length && !stdin) {
      this.file(words[j]!, 'read', false, part);
      this.code(`${id}.script`, `${prog} runs the script ${words[j]!.value}`, start, end, part);
      return;
    }
    const net = this.fromNetwork(io);
    if (net) this.add('network.pipe-to-shell', 'danger', `${prog} runs code fetched from the network by ${net.value}`, start, end, part);
    this.code(`${id}.stdin`, `${prog} runs commands read from its standard input`, start, end, part);
  }

  private interpreter(rule: ProgramRule, prog: string, words: Word[], part: Part, id: string, io: IO): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const { inline, inlineList, module, moduleList, safe } = interpreterOptions(rule);
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        this.code(`${id}.dynamic`, `${prog} gets arguments that are not known statically`, start, end, part);
        return;
      }
      if (j === 1 && safe.has(v) && words.length === 2) {
        this.add(id, 'read', `${prog} ${v} prints information`, start, end, part);
        return;
      }
      if (inline.has(v) || inlineList.some((f) => f.length === 2 && v.startsWith(f) && v[0] === '-' && v[1] !== '-')) {
        this.code(`${id}.inline`, `${prog} ${v} runs inline code, which NOME never reads`, w.start, end, part);
        return;
      }
      if (module.has(v) || moduleList.some((f) => v.startsWith(f) && v.length > f.length)) {
        this.code(`${id}.module`, `${prog} ${v} runs a module`, w.start, end, part);
        return;
      }
      if (v === '--') continue;
      if (v.startsWith('-')) {
        // Combined short flags may end in the inline flag (`python -Bc code`, `perl -ne`).
        if (!v.startsWith('--') && inlineList.some((f) => f.length === 2 && v.slice(1).includes(f[1]!))) {
          this.code(`${id}.inline`, `${prog} ${v} runs inline code, which NOME never reads`, w.start, end, part);
          return;
        }
        continue;
      }
      this.file(w, 'read', false, part);
      this.code(`${id}.script`, `${prog} runs ${v}`, start, end, part);
      return;
    }
    const net = this.fromNetwork(io);
    if (net) this.add('network.pipe-to-interpreter', 'danger', `${prog} runs code fetched from the network by ${net.value}`, start, end, part);
    this.code(`${id}.stdin`, `${prog} runs code from its standard input`, start, end, part);
  }

  private let(words: Word[], part: Part, id: string): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const plain = words.slice(1).every((w) => !w.dynamic && /^[A-Za-z_]\w*(\+\+|--|[-+*/%]?=[0-9]+)$|^[0-9+\-*/% ]+$/.test(w.value));
    if (plain) this.add(id, 'read', 'integer arithmetic on shell variables', start, end, part);
    else this.add('arithmetic.let', 'danger', 'let evaluates variable contents as expressions, which can run code', start, end, part);
  }

  // ───────────────────────────── xargs and find ─────────────────────────────

  private xargs(rule: ProgramRule, words: Word[], part: Part, id: string, io: IO, depth: number): void {
    const values = valueSet(rule.opts);
    // -I R / -i / --replace: the input replaces R inside the arguments instead of being appended.
    let replace: string | null = null;
    let j = 1;
    for (; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        this.dynamicArg(w, part);
        continue;
      }
      if (v === '--') {
        j++;
        break;
      }
      if (!v.startsWith('-')) break;
      if (v === '-a' || v === '--arg-file') {
        if (words[j + 1]) this.file(words[j + 1]!, 'read', false, part);
        j++;
      } else if (v.startsWith('--arg-file=')) this.file(sliceWord(w, 11), 'read', false, part);
      else if (/^-a./.test(v)) this.file(sliceWord(w, 2), 'read', false, part);
      else if (v === '-I') replace = words[++j]?.value ?? null;
      else if (v.startsWith('-I')) replace = v.slice(2);
      else if (v === '-i' || v === '--replace') replace = '{}';
      else if (v.startsWith('-i')) replace = v.slice(2);
      else if (v.startsWith('--replace=')) replace = v.slice(10);
      else if (values.has(v)) j++;
    }
    const whole = words[0]!;
    this.add(id, 'read', 'xargs runs the command that follows with arguments from its input', whole.start, whole.end, part);
    const inner = j < words.length ? words.slice(j) : [{ ...whole, value: 'echo', dynamic: false }];
    if (replace !== null && replace !== '') {
      const r = replace;
      this.argv(inner.map((x) => (x.value.includes(r) ? { ...x, dynamic: true } : x)), io, depth + 1);
      return;
    }
    this.argv([...inner, SYNTHETIC(whole.start, whole.end, '<xargs input>')], io, depth + 1);
  }

  private find(words: Word[], part: Part, id: string, io: IO, depth: number): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    this.add(id, 'read', 'find lists files', start, end, part);
    let j = 1;
    // Leading options (-H -L -P -D x -Ox) then starting points, which are read recursively.
    for (; j < words.length && /^-[HLP]$|^-O\d$/.test(words[j]!.value); j++);
    if (words[j]?.value === '-D') j += 2;
    let points = 0;
    const firstPoint = j;
    for (; j < words.length; j++) {
      const w = words[j]!;
      if (!w.dynamic && (w.value.startsWith('-') || w.value === '(' || w.value === '!' || w.value === ')')) break;
      this.file(w, 'read', true, part);
      points++;
    }
    if (points === 0) {
      const [s, e] = this.ctx.override ?? [start, words[0]!.end];
      this.sink.files.push({ path: '.', access: 'read', start: s, end: e, dynamic: false, glob: false, recursive: true });
    }
    for (; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        this.dynamicArg(w, part);
        continue;
      }
      if (v === '-exec' || v === '-execdir' || v === '-ok' || v === '-okdir') {
        let k = j + 1;
        while (k < words.length && !(words[k]!.value === ';' || (words[k]!.value === '+' && k > j + 1))) k++;
        const inner = words.slice(j + 1, k).map((x) => (x.value.includes('{}') ? { ...x, dynamic: true } : x));
        // -execdir runs in the directory of each match: somewhere under the starting point.
        const dir = v === '-execdir' || v === '-okdir' ? (points === 1 ? words[firstPoint]! : null) : undefined;
        if (inner.length === 0) this.add(`${id}.exec`, 'danger', `${v} without a command`, w.start, w.end, part);
        else this.inDirectory(dir, () => this.argv(inner, io, depth + 1));
        j = k;
        continue;
      }
      if (v === '-delete') {
        this.add(`${id}-delete`, 'danger', 'find -delete deletes every match irreversibly', w.start, w.end, part);
        continue;
      }
      if (v === '-fprint' || v === '-fprint0' || v === '-fls' || v === '-fprintf') {
        const f = words[j + 1];
        if (f) this.file(f, 'write', false, part);
        j += v === '-fprintf' ? 2 : 1;
        continue;
      }
      if (FIND_ONE_ARG.has(v) || v.startsWith('-newer')) {
        if (v === '-newer' || v === '-anewer' || v === '-cnewer' || v === '-samefile' || v === '-files0-from') {
          const f = words[j + 1];
          if (f) this.file(f, 'read', false, part);
        }
        j++;
      }
    }
  }

  // ───────────────────────────── sed, awk, tar, chmod ─────────────────────────────

  private sed(words: Word[], part: Part, id: string): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const scripts: Word[] = [];
    const positionals: Word[] = [];
    let inPlace = false;
    let scriptFile = false;
    let endOpts = false;
    for (let j = 1; j < words.length; j++) {
      let w = words[j]!;
      let v = w.value;
      if (endOpts || !v.startsWith('-') || v === '-' || w.dynamic) {
        positionals.push(w);
        continue;
      }
      if (v === '--') {
        endOpts = true;
        continue;
      }
      if (v.startsWith('--')) {
        // GNU sed takes any unambiguous prefix: `--i` is --in-place, `--expr=` is --expression=.
        v = canonicalLong(v, SED_LONG);
        w = { ...w, value: v };
      }
      if (v === '-e' || v === '--expression') {
        if (words[j + 1]) scripts.push(words[++j]!);
        continue;
      }
      if (v.startsWith('--expression=')) {
        scripts.push(sliceWord(w, 13));
        continue;
      }
      if (v === '-f' || v === '--file' || v.startsWith('--file=')) {
        scriptFile = true;
        const f = v.startsWith('--file=') ? sliceWord(w, 7) : words[++j];
        if (f) this.file(f, 'read', false, part);
        continue;
      }
      if (v === '--in-place' || v.startsWith('--in-place=')) {
        inPlace = true;
        continue;
      }
      if (v === '-l' || v === '--line-length') {
        j++;
        continue;
      }
      if (!v.startsWith('--')) {
        for (let k = 1; k < v.length; k++) {
          const c = v[k]!;
          if (c === 'i') {
            inPlace = true;
            break; // the rest is a backup suffix
          }
          if (c === 'e') {
            const rest = v.slice(k + 1);
            if (rest) scripts.push(sliceWord(w, k + 1));
            else if (words[j + 1]) scripts.push(words[++j]!);
            break;
          }
          if (c === 'f') {
            scriptFile = true;
            const f = words[++j];
            if (f) this.file(f, 'read', false, part);
            break;
          }
          if (c === 'l') {
            j++;
            break;
          }
        }
      }
    }
    if (scripts.length === 0 && !scriptFile && positionals.length > 0) scripts.push(positionals.shift()!);
    this.add(id, inPlace ? 'write' : 'read', inPlace ? 'sed -i edits files in place' : 'sed prints edited text', start, end, part);
    if (scriptFile) this.code(`${id}-f`, 'sed -f runs a script file NOME does not see (it may use e or w)', start, end, part);
    for (const s of scripts) {
      if (s.dynamic) {
        this.add(`${id}.dynamic`, 'danger', `the sed script ${s.value} is not known statically (it could run commands with e)`, s.start, s.end, part);
        continue;
      }
      const facts = sedScript(s.value);
      if (facts.exec) this.add(`${id}.e`, 'danger', 'the sed script runs shell commands (the e command or s///e)', s.start, s.end, part);
      if (facts.unparsed) this.add(`${id}.unparsed`, 'danger', 'NOME cannot read this sed script', s.start, s.end, part);
      for (const f of facts.writes) this.file({ ...s, value: f, dynamic: false, glob: false }, 'write', false, part);
      for (const f of facts.reads) this.file({ ...s, value: f, dynamic: false, glob: false }, 'read', false, part);
    }
    for (const p of positionals) this.file(p, inPlace ? 'write' : 'read', false, part);
  }

  private awk(words: Word[], part: Part, id: string): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const programs: Word[] = [];
    let fromFile = false;
    const positionals: Word[] = [];
    let endOpts = false;
    const programFile = (f: Word | undefined) => {
      fromFile = true;
      if (f) this.file(f, 'read', false, part);
    };
    /** -d/-p/-o (--dump-variables, --profile, --pretty-print) write a file: the one attached, else one in the directory. */
    const output = (w: Word, f: Word | null) => {
      this.add(`${id}.output`, 'write', `awk ${w.value} writes a file`, w.start, w.end, part);
      if (f && f.value !== '') this.file(f, 'write', false, part);
    };
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (endOpts || !v.startsWith('-') || v === '-') {
        if (programs.length === 0 && !fromFile) programs.push(w);
        else positionals.push(w);
        endOpts = true; // options end at the program text
        continue;
      }
      if (w.dynamic) {
        this.dynamicArg(w, part);
        continue;
      }
      if (v === '--') {
        endOpts = true;
        continue;
      }
      if (v.startsWith('--') || v === '-W' || v.startsWith('-W')) {
        // `-W opt` is gawk's (and mawk's) spelling of `--opt`.
        let long = v;
        let wordOf = w;
        if (!v.startsWith('--')) {
          const rest = v === '-W' ? words[++j] : sliceWord(w, 2);
          if (!rest || rest.dynamic) {
            this.add(`${id}.dynamic`, 'danger', 'an awk -W option that is not known statically', w.start, w.end, part);
            continue;
          }
          long = `--${rest.value}`;
          wordOf = { ...rest, value: long };
        }
        const matches = longMatches(long, AWK_LONG);
        const eq = long.indexOf('=');
        const attached = eq >= 0 ? sliceWord(wordOf, eq + 1) : null;
        const value = () => attached ?? words[++j];
        if (matches.length !== 1) {
          this.code(`${id}.option`, `awk ${v} is an option NOME does not model`, w.start, w.end, part);
          continue;
        }
        switch (matches[0]) {
          case '--field-separator':
          case '--assign':
            value();
            break;
          case '--file':
          case '--include':
          case '--exec':
            programFile(value());
            break;
          case '--source': {
            const p = value();
            if (p) programs.push(p);
            break;
          }
          case '--load':
            value();
            this.code(`${id}-l`, 'awk --load loads a shared object', w.start, w.end, part);
            break;
          case '--dump-variables':
          case '--profile':
          case '--pretty-print':
            output(w, attached);
            break;
          case '--debug':
            this.code(`${id}.debug`, 'awk --debug runs debugger commands', w.start, w.end, part);
            break;
          default:
        }
        continue;
      }
      // A cluster of short options; the first that takes a value takes the rest of the word or the next word.
      for (let k = 1; k < v.length; k++) {
        const c = v[k]!;
        const rest = k + 1 < v.length ? sliceWord(w, k + 1) : null;
        const value = () => rest ?? words[++j];
        if (c === 'F' || c === 'v') {
          value();
          break;
        }
        if (c === 'f' || c === 'i' || c === 'E') {
          programFile(value());
          break;
        }
        if (c === 'e') {
          const p = value();
          if (p) programs.push(p);
          break;
        }
        if (c === 'l') {
          value();
          this.code(`${id}-l`, 'awk -l loads a shared object', w.start, w.end, part);
          break;
        }
        if (c === 'd' || c === 'p' || c === 'o') {
          output(w, rest);
          break;
        }
        if (c === 'D') {
          this.code(`${id}.debug`, 'awk -D runs debugger commands', w.start, w.end, part);
          break;
        }
        if (c === 'L') break; // --lint[=fatal]
        if (!'bcCghMnNOPrsStVkI'.includes(c)) {
          this.code(`${id}.option`, `awk -${c} is an option NOME does not model`, w.start, w.end, part);
          break;
        }
      }
    }
    this.add(id, 'read', 'awk processes text', start, end, part);
    if (fromFile) this.code(`${id}-f`, 'awk runs a program file NOME does not see (it may call system())', start, end, part);
    for (const program of programs) {
      if (program.dynamic) {
        this.add(`${id}.dynamic`, 'danger', 'the awk program is not known statically', program.start, program.end, part);
        continue;
      }
      const p = program.value;
      // gawk: @f() calls the function named by f's value (system too); @load loads a shared object.
      if (/\bsystem\s*\(/.test(p) || /\|\s*(getline|&)|\|&|"\s*\|/.test(p) || /\b(print|printf)\b[^;{}]*\|/.test(p) || /@\s*[A-Za-z_][\w:]*\s*\(|@\s*(load|include)\b/.test(p)) {
        this.code(`${id}.exec`, 'the awk program runs commands (system(), a pipe, an indirect call or @load)', program.start, program.end, part);
      }
      // print > "file" writes the file; a target that is not a string literal is not known statically.
      for (const m of p.matchAll(/\b(?:print|printf)\b[^;{}]*?>>?\s*("(?:[^"\\]|\\.)*"|[^;{}\s)]+)/g)) {
        const target = m[1]!;
        if (target.startsWith('"')) this.file({ ...program, value: target.slice(1, -1).replace(/\\(.)/g, '$1'), dynamic: false, glob: false }, 'write', false, part);
        else this.file({ ...program, value: target, dynamic: true, glob: false }, 'write', false, part);
      }
      // getline < "file" reads a file the operands do not show; ARGV[i] = "f" adds one to the input.
      for (const m of p.matchAll(/\bgetline\b[^;{}]*?<\s*("(?:[^"\\]|\\.)*"|[^;{}\s)]+)/g)) {
        const source = m[1]!;
        if (source.startsWith('"')) this.file({ ...program, value: source.slice(1, -1).replace(/\\(.)/g, '$1'), dynamic: false, glob: false }, 'read', false, part);
        else this.file({ ...program, value: source, dynamic: true, glob: false }, 'read', false, part);
      }
      if (/\bARGV\s*\[[^\]]*\]\s*=(?!=)|\bARGC\s*=(?!=)/.test(p)) this.file({ ...program, value: 'ARGV[…]', dynamic: true, glob: false }, 'read', false, part);
    }
    for (const p of positionals) {
      if (!p.dynamic && /^[A-Za-z_]\w*=/.test(p.value)) continue; // var=value operands
      this.file(p, 'read', false, part);
    }
  }

  private tar(words: Word[], part: Part, id: string): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    let mode: string | null = null;
    let archive: Word | null = null;
    let dir: Word | null = null;
    let absolute = false;
    const members: Word[] = [];
    const pendingArgs: string[] = [];
    const takesValue = new Set(['f', 'C', 'T', 'X', 'b', 'H', 'N', 'V', 'g', 'K', 'L', 'I', 'F']);
    const danger = (w: Word, text: string) => this.add(`${id}.exec`, 'danger', text, w.start, w.end, part);
    const consume = (letter: string, val: Word | undefined, w: Word) => {
      if (!val) return;
      if (letter === 'f') archive = val;
      else if (letter === 'C') dir = val;
      else if (letter === 'T') this.file(val, 'read', false, part);
      else if (letter === 'g') this.file(val, 'write', false, part);
      else if (letter === 'I') danger(w, 'tar -I runs a compression program');
      else if (letter === 'F') danger(w, 'tar -F runs a volume script');
    };
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        if (mode === null && j === 1) this.add(`${id}.dynamic`, 'danger', 'the tar mode is not known statically', w.start, w.end, part);
        members.push(w);
        continue;
      }
      if (j === 1 && !v.startsWith('-') && /^[A-Za-z]+$/.test(v)) {
        // Old-style bundled letters: `tar xzf a.tgz`; value letters take the next words in order.
        for (const c of v) {
          if ('cxtrudA'.includes(c)) mode = c;
          if (c === 'P') absolute = true;
          if (takesValue.has(c)) pendingArgs.push(c);
        }
        for (const letter of pendingArgs) consume(letter, words[++j], w);
        continue;
      }
      if (v.startsWith('--')) {
        const eq = v.indexOf('=');
        // GNU tar takes any unambiguous prefix (`--to-com=sh`, `--direc=/`).
        const matches = longMatches(v, TAR_LONG);
        if (matches.length > 1 && matches.some((m) => TAR_RUNS.includes(m))) {
          danger(w, `tar ${v} may be ${matches.filter((m) => TAR_RUNS.includes(m)).join(' or ')}, which runs a program`);
          continue;
        }
        const key = matches.length === 1 ? matches[0]! : eq < 0 ? v : v.slice(0, eq);
        const val = eq >= 0 ? sliceWord(w, eq + 1) : undefined;
        const next = () => val ?? words[++j];
        if (['--create', '--extract', '--get', '--list', '--append', '--update', '--diff', '--compare', '--delete', '--concatenate'].includes(key)) mode = { '--create': 'c', '--extract': 'x', '--get': 'x', '--list': 't', '--append': 'r', '--update': 'u', '--diff': 'd', '--compare': 'd', '--delete': 'D', '--concatenate': 'A' }[key]!;
        else if (key === '--file') archive = next() ?? null;
        else if (key === '--directory') dir = next() ?? null;
        else if (key === '--files-from') {
          const f = next();
          if (f) this.file(f, 'read', false, part);
        } else if (key === '--absolute-names') absolute = true;
        else if (TAR_RUNS.includes(key) && key !== '--checkpoint-action') {
          danger(w, `tar ${key} runs a program`);
          if (eq < 0) j++;
        } else if (key === '--checkpoint-action') {
          const a = next();
          if (a && /exec/.test(a.value)) danger(w, 'tar --checkpoint-action=exec runs a command');
        } else if (['--exclude', '--owner', '--group', '--mode', '--mtime', '--format', '--transform', '--xform', '--strip-components', '--blocking-factor', '--label', '--newer', '--after-date', '--exclude-from', '--listed-incremental', '--warning', '--record-size', '--checkpoint', '--sort', '--exclude-tag', '--level', '--occurrence', '--suffix', '--backup', '--quoting-style', '--hole-detection', '--index-file', '--volno-file', '--tape-length', '--atime-preserve', '--keep-directory-symlink', '--one-top-level', '--pax-option'].includes(key)) {
          if (eq < 0 && !['--atime-preserve', '--backup', '--one-top-level', '--keep-directory-symlink', '--checkpoint'].includes(key)) j++;
        }
        continue;
      }
      if (v.startsWith('-') && v.length > 1) {
        for (let k = 1; k < v.length; k++) {
          const c = v[k]!;
          if ('cxtrudA'.includes(c)) mode = c;
          if (c === 'P') absolute = true;
          if (takesValue.has(c)) {
            const val = k + 1 < v.length ? sliceWord(w, k + 1) : words[++j];
            consume(c, val, w);
            break;
          }
        }
        continue;
      }
      members.push(w);
    }
    const m = mode as string | null;
    if (m === null) {
      this.add(`${id}.mode`, 'danger', 'tar without a mode NOME recognises', start, end, part);
      return;
    }
    const a = archive as Word | null;
    const d = dir as Word | null;
    if (m === 't' || m === 'd') {
      this.add(id, 'read', 'tar lists or compares an archive', start, end, part);
      if (a) this.file(a, 'read', false, part);
      return;
    }
    if (m === 'x') {
      this.add(id, 'write', 'tar extracts files', start, end, part);
      if (a) this.file(a, 'read', false, part);
      const dest: Word = d ?? { value: '.', dynamic: false, glob: false, procSub: false, start, end };
      this.file(dest, 'write', true, part);
      if (absolute) this.add(`${id}-P`, 'danger', 'tar -P extracts to absolute paths anywhere on disk', start, end, part);
      return;
    }
    this.add(id, 'write', m === 'c' ? 'tar creates an archive' : 'tar changes an archive', start, end, part);
    if (a) this.file(a, 'write', false, part);
    for (const mem of members) {
      const base = d && !mem.dynamic && !path.isAbsolute(mem.value) ? { ...mem, value: path.posix.join(d.value, mem.value), dynamic: d.dynamic || mem.dynamic } : mem;
      this.file(base, 'read', true, part);
    }
  }

  /**
   * `ln [-s] TARGET LINK`: writes through the link land on the target, which the permission
   * gateway cannot see when the link is made in the same command (`ln -s ~/.bashrc l && echo >> l`).
   * A target that is outside the workspace or protected is danger.
   */
  private linkTargets(words: Word[], part: Part): void {
    const operands: Word[] = [];
    let dirOpt: Word | null = null;
    let symbolic = false;
    // cp links only with -s/--symbolic-link or -l/--link.
    const cp = words[0]!.value.endsWith('cp');
    let links = !cp;
    let endOpts = false;
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (endOpts || w.dynamic || !v.startsWith('-') || v === '-') operands.push(w);
      else if (v === '--') endOpts = true;
      else if (v === '-t' || v === '--target-directory') dirOpt = words[++j] ?? null;
      else if (v.startsWith('--target-directory=')) dirOpt = sliceWord(w, 19);
      else if (v === '-S' || v === '--suffix') j++;
      else if (cp) {
        if (v === '--symbolic-link' || (!v.startsWith('--') && v.includes('s'))) symbolic = links = true;
        if (v === '--link' || (!v.startsWith('--') && v.includes('l'))) links = true;
      } else if (v === '--symbolic' || v === '--relative' || (!v.startsWith('--') && /[sr]/.test(v))) symbolic = true;
    }
    if (!links) return;
    const sources = dirOpt || operands.length < 2 ? operands : operands.slice(0, -1);
    const linkAt = dirOpt ?? (operands.length >= 2 ? operands[operands.length - 1]! : null);
    for (const src of sources) {
      if (src.dynamic) continue; // a dynamic read already raised the tier
      const v = src.value;
      // A relative symlink target is resolved from the link's directory; a hard link's from here.
      // LINK may be the link or a directory to make it in: try both (-t names the directory).
      const at = linkAt && !linkAt.dynamic ? (dirOpt ? [linkAt.value] : [path.posix.dirname(linkAt.value), linkAt.value]) : ['.'];
      const bases = symbolic && !v.startsWith('/') && !v.startsWith('~') ? at : [''];
      for (const base of bases) {
        const target = this.relocate({ ...src, value: base === '' ? v : path.posix.join(base, v) });
        if (target.dynamic) continue;
        const verdict = writeVerdict(target.value, this.ctx.paths);
        if (symbolic && verdict.rule === 'file.outside-workspace') {
          // The symlink itself is made inside the workspace. A later write through it lands
          // outside, where the permission gateway, which resolves links, holds it (read-only by
          // default). A hard link cannot be told from its path, so it stays danger below.
          this.add('ln.target-outside', 'write', `ln links to ${v}, outside the workspace: writes through the link are checked where they land`, src.start, src.end, part);
        } else if (verdict.tier === 'danger') {
          this.add('ln.target', 'danger', `ln links to ${v}: writes through the link land there (${verdict.text})`, src.start, src.end, part);
          break;
        }
      }
    }
  }

  private chmod(rule: ProgramRule, words: Word[], part: Part, id: string, io: IO): void {
    const mode = words.slice(1).find((w) => !w.value.startsWith('-') || /^-[rwxXst]+$/.test(w.value));
    if (mode) {
      const v = mode.value;
      if (mode.dynamic) this.dynamicArg(mode, part);
      else if (/^[ugoa]*[-+=][rwxXstugo]*[st]/.test(v) || /(^|,)[ugoa]*[+=][^,]*s/.test(v) || /^[0-7]*[2-7][0-7]{3}$/.test(v)) {
        this.add(`${id}.setuid`, 'danger', `chmod ${v} sets setuid/setgid/sticky bits`, mode.start, mode.end, part);
      }
    }
    const rest = mode ? words.filter((w) => w !== mode) : words;
    this.generic(rule, rest, 1, part, id, io);
  }

  // ───────────────────────────── git ─────────────────────────────

  private git(words: Word[], part: Part, io: IO): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    let j = 1;
    let otherRepo: Word | null = null;
    // git applies each -C in turn, relative to the one before.
    const cDirs: Word[] = [];
    for (; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        this.add('git.dynamic', 'danger', `git gets an option that is not known statically (${v})`, w.start, w.end, part);
        return;
      }
      if (!v.startsWith('-')) break;
      if (v.startsWith('-c') || v === '--config-env' || v.startsWith('--config-env=')) {
        this.add('git-c', 'danger', `git ${v} overrides configuration on the command line (it can set a pager, hooks or an ssh command)`, w.start, words[j + 1]?.end ?? w.end, part);
        if (v === '-c' || v === '--config-env') j++;
        continue;
      }
      if (v === '-p' || v === '--paginate') {
        this.code('git.paginate', `git ${v} runs a pager program (core.pager or $PAGER)`, w.start, w.end, part);
        continue;
      }
      if (v.startsWith('-C')) {
        const dir = v === '-C' ? words[++j] : sliceWord(w, 2);
        if (dir) cDirs.push(dir);
        continue;
      }
      if (v === '--git-dir' || v === '--work-tree' || v.startsWith('--git-dir=') || v.startsWith('--work-tree=') || v === '--bare') {
        // --bare makes the directory itself the git directory: its ./config, not .git/config.
        if (v === '--bare') {
          otherRepo = w;
          continue;
        }
        otherRepo = w;
        if (!v.includes('=')) j++;
        continue;
      }
      if (v === '--exec-path' || v.startsWith('--exec-path=')) {
        if (v.includes('=')) this.add('git.exec-path', 'danger', 'git --exec-path runs git programs from another directory', w.start, w.end, part);
        continue;
      }
      if (v === '--namespace' || v === '--super-prefix' || v === '--list-cmds') {
        j++;
        continue;
      }
    }
    const subWord = words[j];
    if (!subWord) {
      this.add('catalog.git', 'read', 'git prints its usage', start, end, part);
      return;
    }
    const sub = subWord.value;
    const rule = GIT_SUBCOMMAND_RULES.get(sub) ?? null;
    const repo = this.repoConfig(otherRepo, cDirs, sub, start, end, part);
    if (!rule) {
      const alias = repo?.entries.get(`alias.${sub.toLowerCase()}`);
      if (alias) this.code('git.config', `the repository's git config defines alias.${sub} (${alias[0]?.startsWith('!') ? 'a shell command' : alias[0]})`, start, end, part);
      else this.code('git.unknown-subcommand', `git ${sub} runs git-${sub}, a program NOME does not know`, start, end, part);
      return;
    }
    this.generic(rule, words, j + 1, part, `git.${sub}`, io);
    if (sub === 'config') {
      const keys = words.slice(j + 1).filter((w) => !w.value.startsWith('-'));
      if (keys.length >= 2 && GIT_HAZARDS.some((h) => h.key.test(keys[0]!.value.toLowerCase()))) {
        this.add('git.config-hazard-set', 'danger', `sets ${keys[0]!.value}, which makes git run a program`, keys[0]!.start, keys[0]!.end, part);
      }
      if (words.some((w) => w.value === '--global' || w.value === '--system') && keys.length >= 2) {
        this.add('git.config-global', 'danger', 'changes git configuration outside the workspace', start, end, part);
      }
      // `git config --file F key value` writes F (any file, ~/.bashrc included).
      const changes = keys.length >= 2 || words.some((w) => /^--(unset|unset-all|add|replace-all|rename-section|remove-section|edit)$|^-e$/.test(w.value));
      for (let k = j + 1; k < words.length; k++) {
        const v = words[k]!.value;
        const f = v === '-f' || v === '--file' ? words[k + 1] : v.startsWith('--file=') ? sliceWord(words[k]!, 7) : undefined;
        if (f) this.file(f, changes ? 'write' : 'read', false, part);
      }
    }
    if (!repo) return;
    const seen = new Set<string>();
    for (const [key, vals] of repo.entries) {
      for (const h of GIT_HAZARDS) {
        if (!h.key.test(key) || seen.has(key)) continue;
        if (h.subs !== '*' && !h.subs.includes(sub)) continue;
        seen.add(key);
        this.code('git.config', `the repository's git config sets ${key}${vals[0] ? ` (${vals[0].slice(0, 60)})` : ''}, which ${h.what} when git ${sub} runs`, start, end, part);
      }
    }
    if (repo.hooks.length > 0 && HOOKED.has(sub)) {
      this.code('git.hooks', `git ${sub} runs the repository's hooks (${repo.hooks.join(', ')})`, start, end, part);
    }
  }

  /**
   * The configuration of the repository git will use: the one found from the directory it runs
   * in (the workspace, after any `cd` and `-C`), when that directory is a static path inside the
   * workspace. Null, with a reason, when it is not vouched for.
   */
  private repoConfig(otherRepo: Word | null, cDirs: readonly Word[], sub: string, start: number, end: number, part: Part) {
    const paths = this.ctx.paths;
    if (otherRepo) {
      this.code('git.other-repository', `git works on another repository (${otherRepo.value}) whose configuration NOME has not read`, otherRepo.start, otherRepo.end, part);
      return null;
    }
    if (paths.workspace === null) {
      this.code('git.no-workspace', `no workspace was given, so the repository configuration git ${sub} would follow is unknown`, start, end, part);
      return null;
    }
    let dir = this.cwd === null ? null : resolvePath(this.cwd === '' ? '.' : this.cwd, paths);
    let shown: Word = { value: this.cwd ?? '<unknown directory>', dynamic: this.cwd === null, glob: false, procSub: false, start, end };
    for (const c of cDirs) {
      if (dir === null) break;
      shown = c;
      if (c.dynamic) dir = null;
      else if (c.value !== '') dir = c.value.startsWith('~') ? resolvePath(c.value, paths) : path.resolve(dir, c.value);
    }
    if (dir === null || !isInside(dir, paths)) {
      this.code('git.other-repository', `git works on another repository (${shown.value}) whose configuration NOME has not read`, shown.start, shown.end, part);
      return null;
    }
    const repo = this.ctx.repoConfig(dir);
    if (repo.error) {
      this.code('git.config-unreadable', `the repository's git configuration could not be read (${repo.error})`, start, end, part);
      return null;
    }
    return repo;
  }

  // ───────────────────────────── remote and cloud ─────────────────────────────

  private ssh(rule: ProgramRule, words: Word[], part: Part, id: string): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const values = valueSet(rule.opts);
    let j = 1;
    for (; j < words.length; j++) {
      const w = words[j]!;
      const v = w.value;
      if (w.dynamic) {
        this.add(`${id}.dynamic`, 'danger', `ssh gets an argument that is not known statically (${v})`, w.start, w.end, part);
        return;
      }
      if (!v.startsWith('-')) break;
      const opt = v.length > 2 && values.has(v.slice(0, 2)) ? v.slice(2) : values.has(v) ? words[++j]?.value : undefined;
      if ((v.startsWith('-o') || v === '-o') && opt && /^(ProxyCommand|LocalCommand|PermitLocalCommand|KnownHostsCommand|ProxyUseFdpass|Match)/i.test(opt)) {
        this.code(`${id}-o`, `ssh -o ${opt.split(/[= ]/)[0]} runs a local command`, w.start, w.end, part);
      }
    }
    const host = words[j];
    const remote = words.slice(j + 1);
    if (!host || remote.length === 0) {
      this.add(id, 'danger', 'ssh opens an interactive shell on another host', start, end, part);
      return;
    }
    // Whatever it runs, it runs on another machine: a remote side effect, as the catalog says.
    this.add(id, 'danger', `ssh runs a command on ${host.value} (${REMOTE_EFFECT})`, start, end, part);
    // The remote command is classified like a local one; its paths are remote, so they are not file targets.
    const before = this.sink.files.length;
    const reasons = this.sink.reasons.length;
    this.evalLike(remote, part, `${id}.remote`, `the command runs on ${host.value}`, true);
    this.sink.files.length = before;
    // What the remote command changes is outside the workspace (another machine): a remote side effect.
    if (this.sink.reasons.slice(reasons).some((r) => r.tier !== 'read')) this.add(`${id}.remote-change`, 'danger', `the command changes ${host.value} (${REMOTE_EFFECT})`, start, end, part);
  }

  private cloud(rule: ProgramRule, prog: string, words: Word[], part: Part, id: string): void {
    const start = words[0]!.start;
    const end = words[words.length - 1]!.end;
    const positionals: string[] = [];
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      if (w.dynamic) {
        this.add(`${id}.dynamic`, 'danger', `${prog} gets an argument that is not known statically`, w.start, w.end, part);
        return;
      }
      if (w.value.startsWith('-')) {
        if (w.value === '--version' || w.value === '--help' || w.value === '-h') positionals.push(w.value);
        if (!w.value.includes('=') && words[j + 1] && !words[j + 1]!.value.startsWith('-') && positionals.length > 0) j++;
        continue;
      }
      positionals.push(w.value);
    }
    const safe = (rule.opts?.safe ?? '').split(' ').filter(Boolean);
    const matches = (verb: string) => safe.some((s) => (s.endsWith('*') ? verb.startsWith(s.slice(0, -1)) : s === verb));
    let isRead: boolean;
    if (prog === 'aws') {
      const [service, op] = positionals;
      isRead = service !== undefined && (matches(service) || (op !== undefined && (matches(op) || safe.includes(`${service}:${op}`))));
    } else if (prog === 'gsutil') {
      isRead = positionals[0] !== undefined && matches(positionals[0]);
    } else {
      const verbs = /^(list|describe|show|get|get-.*|info|version|help|create|delete|update|set|deploy|add|remove|start|stop|restart|reset|import|export|patch|apply|run|ssh|scp|submit|cancel|move|rename|attach|detach|enable|disable|login|logout|activate|resize|upgrade|rollback|purge|destroy|clear|unset|wait|tail|logs|read|write|call|invoke|execute|exec|rotate|revoke|grant|assign|scale|publish|push|pull|upload|download|sync|copy|cp|mv|rm)$/;
      const verb = positionals.find((p) => verbs.test(p));
      const pair = positionals.length >= 2 ? `${positionals[0]}:${positionals[1]}` : '';
      isRead = (verb !== undefined && matches(verb)) || safe.includes(pair) || positionals.length === 0 || positionals[0] === '--version' || positionals[0] === '--help';
    }
    if (isRead) this.add(id, 'read', `${prog} ${positionals.slice(0, 3).join(' ')} reads cloud state`, start, end, part);
    else this.add(id, 'danger', `${prog} ${positionals.slice(0, 3).join(' ')} may change cloud resources (remote side effect)`, start, end, part);
  }
}

/**
 * The catalog flags a long option abbreviates (`--outp` → `--output`). Flags that lower the tier
 * (`--dry-run`, `--check`) are never matched by a prefix: an abbreviation only ever raises it.
 */
function abbreviations(rule: ProgramRule, key: string): [string, FlagRule][] {
  if (!rule.flags || key.length < 3) return [];
  const found: [string, FlagRule][] = [];
  // Go's flag package takes `--toolexec` for `-toolexec`.
  const single = `-${key.slice(2)}`;
  for (const [full, fr] of Object.entries(rule.flags)) {
    const go = full.length > 2 && !full.startsWith('--') && full === single;
    if (!go && (!full.startsWith('--') || !full.startsWith(key))) continue;
    if (fr.tier && TIER_RANK[fr.tier] < TIER_RANK[rule.tier]) continue;
    found.push([full, fr]);
  }
  return found;
}

/** `--outp=x` → `--output=x` when the prefix names exactly one of `names`; otherwise unchanged. */
function canonicalLong(v: string, names: readonly string[]): string {
  const matches = longMatches(v, names);
  return matches.length === 1 ? matches[0]! + v.slice(longKey(v).length) : v;
}

function longKey(v: string): string {
  const eq = v.indexOf('=');
  return eq < 0 ? v : v.slice(0, eq);
}

/** The long options of `names` that `v` (`--opt` or `--opt=value`) may stand for. */
function longMatches(v: string, names: readonly string[]): string[] {
  const key = longKey(v);
  if (names.includes(key)) return [key];
  if (key.length < 3) return [];
  return names.filter((n) => n.startsWith(key));
}

/** tar options that run a program. */
const TAR_RUNS = ['--to-command', '--use-compress-program', '--rsh-command', '--info-script', '--new-volume-script', '--rmt-command', '--set-mtime-command', '--checkpoint-action'];

/** GNU tar's long options, for resolving abbreviations. */
const TAR_LONG = [
  ...TAR_RUNS, '--create', '--extract', '--get', '--list', '--append', '--update', '--diff', '--compare', '--delete', '--concatenate', '--catenate', '--file',
  '--directory', '--files-from', '--absolute-names', '--exclude', '--owner', '--group', '--mode', '--mtime', '--format', '--transform', '--xform',
  '--strip-components', '--blocking-factor', '--label', '--newer', '--newer-mtime', '--after-date', '--exclude-from', '--listed-incremental', '--warning',
  '--record-size', '--checkpoint', '--sort', '--exclude-tag', '--level', '--occurrence', '--suffix', '--backup', '--quoting-style', '--hole-detection',
  '--index-file', '--volno-file', '--tape-length', '--atime-preserve', '--keep-directory-symlink', '--one-top-level', '--pax-option', '--to-stdout',
  '--totals', '--verbose', '--gzip', '--gunzip', '--bzip2', '--xz', '--zstd', '--lzma', '--lzip', '--lzop', '--compress', '--uncompress', '--auto-compress',
  '--keep-old-files', '--keep-newer-files', '--skip-old-files', '--overwrite', '--overwrite-dir', '--no-overwrite-dir', '--unlink-first',
  '--recursive-unlink', '--remove-files', '--verify', '--same-permissions', '--preserve-permissions', '--no-same-permissions', '--numeric-owner',
  '--no-same-owner', '--same-owner', '--dereference', '--hard-dereference', '--wildcards', '--no-wildcards', '--anchored', '--no-anchored',
  '--ignore-case', '--no-ignore-case', '--null', '--no-null', '--verbatim-files-from', '--show-transformed-names', '--ignore-failed-read',
  '--ignore-zeros', '--incremental', '--multi-volume', '--sparse', '--touch', '--utc', '--xattrs', '--no-xattrs', '--acls', '--no-acls', '--selinux',
  '--no-selinux', '--no-recursion', '--recursion', '--one-file-system', '--interactive', '--confirmation', '--block-number', '--check-links',
  '--delay-directory-restore', '--show-omitted-dirs', '--show-defaults', '--help', '--usage', '--version', '--test-label', '--seek', '--no-seek',
  '--restrict', '--posix', '--old-archive', '--portability', '--preserve-order', '--same-order', '--starting-file', '--exclude-vcs',
  '--exclude-vcs-ignores', '--exclude-backups', '--exclude-caches', '--exclude-caches-all', '--exclude-caches-under', '--exclude-ignore',
  '--exclude-ignore-recursive', '--exclude-tag-all', '--exclude-tag-under', '--force-local', '--full-time', '--group-map', '--owner-map',
  '--ignore-command-error', '--no-ignore-command-error', '--no-auto-compress', '--no-check-device', '--check-device', '--no-delay-directory-restore',
  '--no-unquote', '--unquote', '--read-full-records', '--sparse-version', '--xattrs-exclude',
  '--xattrs-include', '--clamp-mtime', '--set-mtime-format',
];

const ENV_LONG = ['--ignore-environment', '--null', '--unset', '--chdir', '--split-string', '--block-signal', '--default-signal', '--ignore-signal', '--list-signal-handling', '--debug', '--help', '--version', '--argv0'];

const SED_LONG = ['--quiet', '--silent', '--debug', '--expression', '--file', '--follow-symlinks', '--in-place', '--line-length', '--null-data', '--zero-terminated', '--posix', '--regexp-extended', '--separate', '--sandbox', '--unbuffered', '--binary', '--help', '--version'];

/** gawk's long options; -W name is the same as --name. */
const AWK_LONG = ['--field-separator', '--assign', '--file', '--source', '--exec', '--include', '--load', '--characters-as-bytes', '--traditional', '--copyright', '--dump-variables', '--debug', '--gen-pot', '--help', '--lint', '--lint-old', '--bignum', '--use-lc-numeric', '--non-decimal-data', '--optimize', '--no-optimize', '--profile', '--pretty-print', '--posix', '--re-interval', '--sandbox', '--trace', '--version', '--csv', '--persist', '--compat', '--usage'];

const REMOTE_EFFECT = 'a remote side effect';

/** find primaries that take one argument. */
const FIND_ONE_ARG = new Set(['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-type', '-xtype', '-size', '-mtime', '-atime', '-ctime', '-mmin', '-amin', '-cmin', '-perm', '-user', '-group', '-uid', '-gid', '-maxdepth', '-mindepth', '-links', '-inum', '-lname', '-ilname', '-used', '-context', '-fstype', '-regextype', '-printf', '-newer', '-anewer', '-cnewer', '-samefile', '-files0-from']);

/** Git subcommands that run hooks from .git/hooks. */
const HOOKED = new Set(['commit', 'merge', 'pull', 'push', 'rebase', 'checkout', 'switch', 'am', 'clone', 'worktree', 'gc', 'cherry-pick', 'revert', 'stash', 'reset']);

// ───────────────────────────── sed scripts ─────────────────────────────

/** Reads a sed script just enough to find commands that run programs or touch files. */
export function sedScript(script: string): { exec: boolean; writes: string[]; reads: string[]; unparsed: boolean } {
  const r = { exec: false, writes: [] as string[], reads: [] as string[], unparsed: false };
  let i = 0;
  const n = script.length;
  const restOfLine = () => {
    const e = script.indexOf('\n', i);
    const s = script.slice(i, e < 0 ? n : e).trim();
    i = e < 0 ? n : e + 1;
    return s;
  };
  const delimited = (d: string) => {
    // Reads up to an unescaped delimiter; returns false when it is missing.
    while (i < n) {
      const c = script[i]!;
      if (c === '\\') i += 2;
      else if (c === d) {
        i++;
        return true;
      } else if (c === '\n' && d !== '\n') return false;
      else i++;
    }
    return false;
  };
  const address = () => {
    const c = script[i];
    if (c === undefined) return;
    if (/[0-9]/.test(c)) {
      while (i < n && /[0-9~]/.test(script[i]!)) i++;
    } else if (c === '$') i++;
    else if (c === '/') {
      i++;
      if (!delimited('/')) r.unparsed = true;
      while (i < n && /[IM]/.test(script[i]!)) i++;
    } else if (c === '\\') {
      const d = script[i + 1];
      i += 2;
      if (d === undefined || !delimited(d)) r.unparsed = true;
    }
  };
  let guard = 0;
  while (i < n && !r.unparsed && guard++ < 10_000) {
    while (i < n && /[\s;]/.test(script[i]!)) i++;
    if (i >= n) break;
    if (script[i] === '#') {
      restOfLine();
      continue;
    }
    address();
    while (i < n && script[i] === ' ') i++;
    if (script[i] === ',') {
      i++;
      while (i < n && script[i] === ' ') i++;
      if (script[i] === '+' || script[i] === '~') i++;
      address();
    }
    while (i < n && /[\s!]/.test(script[i]!)) i++;
    const c = script[i++];
    if (c === undefined) break;
    switch (c) {
      case '{':
      case '}':
      case '=':
      case 'd':
      case 'D':
      case 'g':
      case 'G':
      case 'h':
      case 'H':
      case 'n':
      case 'N':
      case 'p':
      case 'P':
      case 'x':
      case 'z':
      case 'F':
        break;
      case 'q':
      case 'Q':
      case 'l':
      case 'L':
        while (i < n && /[0-9 ]/.test(script[i]!)) i++;
        break;
      case ':':
      case 'b':
      case 't':
      case 'T':
      case 'v': {
        while (i < n && !/[;\n]/.test(script[i]!)) i++;
        break;
      }
      case 'a':
      case 'i':
      case 'c':
        restOfLine();
        break;
      case 'e':
        r.exec = true;
        restOfLine();
        break;
      case 'w':
      case 'W': {
        const f = restOfLine();
        r.writes.push(f);
        break;
      }
      case 'r':
      case 'R': {
        const f = restOfLine();
        if (f) r.reads.push(f);
        break;
      }
      case 's':
      case 'y': {
        const d = script[i++];
        if (d === undefined || d === '\\' || d === '\n') {
          r.unparsed = true;
          break;
        }
        if (!delimited(d) || !delimited(d)) {
          r.unparsed = true;
          break;
        }
        if (c === 'y') break;
        while (i < n && /[gpiImMe0-9w]/.test(script[i]!)) {
          const f = script[i++]!;
          if (f === 'e') r.exec = true;
          if (f === 'w') {
            r.writes.push(restOfLine());
            break;
          }
        }
        break;
      }
      default:
        r.unparsed = true;
    }
  }
  return r;
}
