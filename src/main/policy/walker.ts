/**
 * Walks a tree-sitter-bash tree into simple commands with normalised words and correctly bound
 * redirections. Anything the walker does not model becomes a danger reason, never a silent skip.
 *
 * Spans here are UTF-16 indices (tree-sitter's); the engine converts them to UTF-8 bytes.
 * Runtime: plain Node.
 */
import { CATALOG, isDangerousEnv } from './catalog';
import { copyTree, fieldChild, treeHasError, type ParsedTree, type TNode } from './tree';
import type { Tier } from './types';

export interface Word {
  /** Normalised text: quotes/escapes removed; dynamic parts kept as written (e.g. `$HOME/x`). */
  value: string;
  dynamic: boolean;
  /** Unquoted glob characters. */
  glob: boolean;
  /** A process substitution (`<(…)`): a /dev/fd path, never a workspace file. */
  procSub: boolean;
  start: number;
  end: number;
}

export interface Redirect {
  /** `<`, `>`, `>>`, `&>`, `<<`, `<<<`, … */
  op: string;
  fd: number | null;
  /** The file for file redirections; null for duplications, heredocs and herestrings. */
  target: Word | null;
  access: 'read' | 'write' | null;
  /** Stdin content built from command substitutions (herestring/heredoc). */
  substitutedInput: boolean;
  start: number;
  end: number;
}

export interface Assignment {
  name: string;
  value: Word | null;
  start: number;
  end: number;
}

export interface SimpleCommand {
  words: Word[];
  assignments: Assignment[];
  redirects: Redirect[];
  start: number;
  end: number;
  /** Pipeline membership, so `curl … | sh` can be recognised. */
  pipeline: { id: number; index: number } | null;
  /** Stdin comes from a heredoc or herestring. */
  stdinFromHeredoc: boolean;
}

export interface RawReason {
  rule: string;
  tier: Tier;
  text: string;
  start: number;
  end: number;
}

/**
 * Node types whose children's field names the walker reads (fieldChild / fieldName); the tree
 * copy skips field lookups elsewhere. A new fieldChild(x, …) needs x's type here.
 */
const FIELD_PARENTS: ReadonlySet<string> = new Set(['function_definition', 'for_statement', 'case_item', 'redirected_statement', 'variable_assignment', 'subscript', 'file_redirect', 'binary_expression']);

const SPECIAL_INT_VARS = new Set(['?', '#', '$', '!', 'RANDOM', 'LINENO', 'SECONDS', 'BASHPID', 'PPID', 'UID', 'EUID', 'EPOCHSECONDS']);
const ARITH_TEST_OPS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

/** Shared by walkers that define no function (never mutated). */
const NO_NAMES: ReadonlySet<string> = new Set();

/** Characters that make an unquoted word a glob pattern. */
const GLOB_CHAR = /[*?[]/;

function isInt(text: string): boolean {
  return /^[+-]?(0x[0-9a-fA-F]+|[0-9]+)$/.test(text);
}

export class Walker {
  readonly commands: SimpleCommand[] = [];
  readonly reasons: RawReason[] = [];
  /**
   * Text bash expands that the tree holds no nodes for (an unquoted heredoc body whose backticks or
   * `$( )` tree-sitter did not parse), as a script to classify on its own, with where it sits.
   */
  readonly hidden: { script: string; start: number; end: number }[] = [];
  /** Shell functions defined in the script: calling one runs its (already classified) body. */
  get functions(): ReadonlySet<string> {
    return this.functionNames ?? NO_NAMES;
  }
  /** Created on the first definition: most scripts define no function. */
  private functionNames: Set<string> | null = null;
  private pipelineIds = 0;
  /** The tree as plain objects (see tree.ts), set by run(). */
  private root: TNode | null = null;
  /** Names whose value is known to be a plain integer in this script (arithmetic on them is safe). */
  private intVars: Set<string> | null = null;

  constructor(
    private readonly src: string,
    private readonly tree: ParsedTree,
  ) {}

  run(): void {
    const hasError = treeHasError(this.tree);
    // One pass copies the tree into plain objects; from here on nothing crosses into WASM.
    const root = copyTree(this.tree, hasError, FIELD_PARENTS);
    this.root = root;
    if (hasError) this.reportErrors(root);
    const cr = this.src.indexOf('\r');
    if (cr >= 0) {
      // Bash keeps a carriage return inside a word; tree-sitter treats it as a blank, so the two
      // would disagree on where words (and commands) start.
      this.reasons.push({ rule: 'parse.carriage-return', tier: 'danger', text: 'a carriage return: bash reads it as part of a word, not as a separator', start: cr, end: cr + 1 });
    }
    this.statement(root, [], null);
  }

  /** A node's source text (tree-sitter's indices are UTF-16, as JS strings). */
  private text(node: TNode): string {
    return this.src.slice(node.startIndex, node.endIndex);
  }

  private textOr(node: TNode | null): string {
    return node ? this.text(node) : '';
  }

  private reason(rule: string, tier: Tier, text: string, node: { startIndex: number; endIndex: number }): void {
    this.reasons.push({ rule, tier, text, start: node.startIndex, end: node.endIndex });
  }

  private reportErrors(root: TNode): void {
    // Report the first ERROR/MISSING node (in document order) precisely; the whole command is
    // danger either way. The copy has isMissing here (copyTree asks when the tree has errors).
    const stack: TNode[] = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.isError || n.isMissing) {
        this.reason('parse.error', 'danger', n.isMissing ? `the command is incomplete: bash expects "${n.type}" here` : 'bash syntax the parser cannot read', n);
        return;
      }
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    this.reason('parse.error', 'danger', 'the command does not parse', root);
  }

  private unsupported(node: TNode, what = node.type): void {
    this.reason('construct.unsupported', 'danger', `NOME does not model "${what}" here`, node);
  }

  // ───────────────────────────── statements ─────────────────────────────

  /** `inherited` are redirections of enclosing groups that apply to every command inside. */
  private statement(node: TNode, inherited: Redirect[], pipeline: SimpleCommand['pipeline']): void {
    switch (node.type) {
      case 'program':
      case 'do_group':
      case 'else_clause':
      case 'elif_clause':
      case 'if_statement':
      case 'while_statement':
      case 'subshell':
        this.children(node, inherited);
        return;
      case 'list':
        this.children(node, inherited);
        return;
      case 'compound_statement':
        if (node.children.length > 0 && node.children[0]!.type === '((') this.arithmeticChildren(node);
        else this.children(node, inherited);
        return;
      case 'pipeline': {
        const id = ++this.pipelineIds;
        let index = 0;
        for (let i = 0, kids = node.children; i < kids.length; i++) {
          const c = kids[i]!;
          if (!c.isNamed || c.type === 'comment') continue;
          this.statement(c, inherited, { id, index: index++ });
        }
        return;
      }
      case 'redirected_statement':
        this.redirected(node, inherited, pipeline);
        return;
      case 'command':
        this.command(node, inherited, pipeline, []);
        return;
      case 'negated_command':
        this.children(node, inherited, pipeline);
        return;
      case 'function_definition': {
        // The body is classified where it is defined: calling it runs exactly these commands.
        const body = fieldChild(node, 'body');
        const fname = fieldChild(node, 'name');
        const name = fname ? this.text(fname) : null;
        if (name !== null) {
          (this.functionNames ??= new Set()).add(name);
          // A function named like a builtin or a known program changes what every later use of that name runs.
          if (Object.hasOwn(CATALOG, name)) this.reason('function.shadows', 'danger', `defines a function ${name}, which replaces the program or builtin of that name for the rest of the script`, fname!);
        }
        const before = this.commands.length;
        if (body) this.statement(body, inherited, null);
        // A function that starts itself in the background multiplies processes without end (a fork bomb).
        if (name !== null && body && /(^|[^&])&($|[^&>])/.test(this.text(body)) && this.commands.slice(before).some((c) => c.words[0]?.value === name)) {
          this.reason('function.forks-itself', 'danger', `the function ${name} starts itself in the background: processes multiply without end`, node);
        }
        for (let i = 0, kids = node.children; i < kids.length; i++) {
          const c = kids[i]!;
          if (c.isNamed && c !== body && c.type !== 'word' && c.type !== 'comment') this.statement(c, inherited, null);
        }
        return;
      }
      case 'for_statement': {
        const variable = fieldChild(node, 'variable');
        let allInts = true;
        let anyValue = false;
        for (let i = 0, kids = node.children; i < kids.length; i++) {
          const c = kids[i]!;
          if (!c.isNamed || c === variable || c.type === 'comment') continue;
          if (c.type === 'do_group') this.statement(c, inherited, null);
          else {
            anyValue = true;
            const w = this.word(c);
            if (w.dynamic || !isInt(w.value)) allInts = false;
          }
        }
        if (variable && !(anyValue && allInts)) this.taint(this.text(variable));
        // The loop assigns its variable (`for PATH in /tmp/x`): classified like an assignment.
        if (variable) this.emit(variable, [], [{ name: this.text(variable), value: null, start: variable.startIndex, end: variable.endIndex }], [], null);
        return;
      }
      case 'c_style_for_statement':
        for (let i = 0, kids = node.children; i < kids.length; i++) {
          const c = kids[i]!;
          if (!c.isNamed || c.type === 'comment') continue;
          if (c.type === 'do_group' || c.type === 'compound_statement') this.statement(c, inherited, null);
          else this.arithmetic(c);
        }
        return;
      case 'case_statement':
        for (let i = 0, kids = node.children; i < kids.length; i++) {
          const c = kids[i]!;
          if (!c.isNamed || c.type === 'comment') continue;
          if (c.type === 'case_item') this.caseItem(c, inherited);
          else this.word(c);
        }
        return;
      case 'test_command':
        this.testCommand(node);
        return;
      case 'variable_assignment':
      case 'variable_assignments':
      case 'declaration_command':
      case 'unset_command':
        this.command(node, inherited, pipeline, []);
        return;
      case 'comment':
      case 'heredoc_body':
      case 'heredoc_end':
      case 'heredoc_start':
        return;
      default:
        if (!node.isNamed) return;
        if (node.isError || node.isMissing) {
          this.children(node, inherited);
          return;
        }
        this.unsupported(node);
    }
  }

  private children(node: TNode, inherited: Redirect[], pipeline: SimpleCommand['pipeline'] = null): void {
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.isNamed) this.statement(c, inherited, pipeline);
      else if (c.isError || c.isMissing) this.statement(c, inherited, pipeline);
    }
  }

  private caseItem(node: TNode, inherited: Redirect[]): void {
    const values = new Set<number>();
    for (let i = 0; i < node.children.length; i++) if (node.children[i]!.fieldName === 'value') values.add(i);
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (!c.isNamed || c.type === 'comment') continue;
      if (values.has(i)) this.word(c);
      else this.statement(c, inherited, null);
    }
  }

  private redirected(node: TNode, inherited: Redirect[], pipeline: SimpleCommand['pipeline']): void {
    const body = fieldChild(node, 'body');
    const own: Redirect[] = [];
    const trailing: TNode[] = [];
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c === body || !c.isNamed) continue;
      if (isRedirect(c.type)) this.redirect(c, own, trailing);
      else if (c.type !== 'comment') trailing.push(c);
    }
    if (!body) this.emit(node, [], [], [...inherited, ...own], pipeline);
    else this.bindTail(body, inherited, own, pipeline);
    // Statements tree-sitter nests inside a heredoc redirect (`cat <<EOF | grep x && ls`).
    for (const t of trailing) this.statement(t, [], null);
  }

  /**
   * Bash binds a trailing redirection to the last simple command of a list or pipeline
   * (`a && b > f` writes f from b only); tree-sitter hangs it on the whole list.
   */
  private bindTail(node: TNode, inherited: Redirect[], own: Redirect[], pipeline: SimpleCommand['pipeline']): void {
    if (node.type === 'list' || node.type === 'pipeline' || node.type === 'negated_command') {
      let last = -1;
      const all = node.children;
      for (let i = 0; i < all.length; i++) if (all[i]!.isNamed && all[i]!.type !== 'comment') last = i;
      const id = node.type === 'pipeline' ? ++this.pipelineIds : 0;
      let index = 0;
      for (let i = 0, kids = node.children; i < kids.length; i++) {
        const c = kids[i]!;
        if (!c.isNamed || c.type === 'comment') continue;
        const p = node.type === 'pipeline' ? { id, index: index++ } : pipeline;
        if (i === last) this.bindTail(c, inherited, own, p);
        else this.statement(c, inherited, p);
      }
      return;
    }
    if (node.type === 'command') {
      this.command(node, inherited, pipeline, own);
      return;
    }
    if (node.type === 'redirected_statement') {
      // Nested redirections keep their own order: inner first, then these.
      const body = fieldChild(node, 'body');
      const inner: Redirect[] = [];
      const trailing: TNode[] = [];
      for (let i = 0, kids = node.children; i < kids.length; i++) {
        const c = kids[i]!;
        if (c === body || !c.isNamed) continue;
        if (isRedirect(c.type)) this.redirect(c, inner, trailing);
        else trailing.push(c);
      }
      if (body) this.bindTail(body, inherited, [...inner, ...own], pipeline);
      else this.emit(node, [], [], [...inherited, ...inner, ...own], pipeline);
      for (const t of trailing) this.statement(t, [], null);
      return;
    }
    // A compound command (group, subshell, if, loop…): the redirection applies to all of it.
    this.statement(node, [...inherited, ...own], pipeline);
  }

  // ───────────────────────────── commands ─────────────────────────────

  private command(node: TNode, inherited: Redirect[], pipeline: SimpleCommand['pipeline'], own: Redirect[]): void {
    const words: Word[] = [];
    const assignments: Assignment[] = [];
    const redirects: Redirect[] = [...inherited];
    const trailing: TNode[] = [];
    if (node.type === 'variable_assignment') {
      this.emit(node, [], [this.assignment(node)], [...inherited, ...own], pipeline);
      return;
    }
    const isDecl = node.type === 'declaration_command' || node.type === 'unset_command';
    if (isDecl && node.children.length > 0) {
      const kw = node.children[0]!;
      words.push({ value: this.text(kw), dynamic: false, glob: false, procSub: false, start: kw.startIndex, end: kw.endIndex });
    }
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (!c.isNamed) {
        if (c.isError || c.isMissing) this.statement(c, [], null);
        continue;
      }
      switch (c.type) {
        case 'command_name':
          if (c.children.length === 1) this.push(words, this.word(c.children[0]!));
          else this.push(words, this.word(c));
          break;
        case 'variable_assignment':
          assignments.push(this.assignment(c));
          break;
        case 'variable_assignments':
          for (const a of c.children) if (a!.type === 'variable_assignment') assignments.push(this.assignment(a!));
          break;
        case 'file_redirect':
        case 'heredoc_redirect':
        case 'herestring_redirect':
          this.redirect(c, redirects, trailing);
          break;
        case 'comment':
          break;
        case 'variable_name':
          // `export B`, `unset x`, `local c`: a name, not a value.
          this.push(words, { value: this.text(c), dynamic: false, glob: false, procSub: false, start: c.startIndex, end: c.endIndex });
          if (isDecl) this.taint(this.text(c));
          break;
        default:
          this.push(words, this.word(c));
      }
    }
    redirects.push(...own);
    this.emit(node, words, assignments, redirects, pipeline);
    for (const t of trailing) this.statement(t, [], null);
  }

  /** Appends a word; `r\<newline>m` is one word to bash (the continuation is removed first), tree-sitter splits it. */
  private push(words: Word[], w: Word): void {
    const last = words[words.length - 1];
    if (last && this.src.charCodeAt(last.end) === 0x5c && /^(\\\n)+$/.test(this.src.slice(last.end, w.start))) {
      words[words.length - 1] = {
        value: last.value + w.value,
        dynamic: last.dynamic || w.dynamic,
        glob: last.glob || w.glob,
        procSub: false,
        start: last.start,
        end: w.end,
      };
    } else words.push(w);
  }

  private emit(node: TNode, words: Word[], assignments: Assignment[], redirects: Redirect[], pipeline: SimpleCommand['pipeline']): void {
    this.commands.push({
      words,
      assignments,
      redirects,
      start: node.startIndex,
      end: node.endIndex,
      pipeline,
      stdinFromHeredoc: redirects.some((r) => r.op === '<<' || r.op === '<<-' || r.op === '<<<'),
    });
  }

  private assignment(node: TNode): Assignment {
    const nameNode = fieldChild(node, 'name');
    const valueNode = fieldChild(node, 'value');
    let name = nameNode ? this.text(nameNode) : '';
    if (nameNode && nameNode.type === 'subscript') {
      // `a[i]=x` evaluates the subscript arithmetically.
      const index = fieldChild(nameNode, 'index');
      const base = fieldChild(nameNode, 'name');
      name = base ? this.text(base) : name;
      if (index) this.subscriptIndex(index);
    }
    let value: Word | null = null;
    if (valueNode) {
      if (valueNode.type === 'array') {
        let dynamic = false;
        for (let j = 0, kids = valueNode.children; j < kids.length; j++) {
          const c = kids[j]!;
          if (c.isNamed && c.type !== 'comment') dynamic = this.word(c).dynamic || dynamic;
        }
        value = { value: this.text(valueNode), dynamic, glob: false, procSub: false, start: valueNode.startIndex, end: valueNode.endIndex };
      } else value = this.word(valueNode);
    }
    if (!value || value.dynamic || !isInt(value.value) || this.text(node).includes('+=')) this.taint(name);
    return { name, value, start: node.startIndex, end: node.endIndex };
  }

  // ───────────────────────────── redirects ─────────────────────────────

  private redirect(node: TNode, out: Redirect[], trailing: TNode[]): void {
    if (node.type === 'file_redirect') {
      let op = '';
      let fd: number | null = null;
      let dest: TNode | null = null;
      for (let i = 0, kids = node.children; i < kids.length; i++) {
        const c = kids[i]!;
        const field = c.fieldName;
        if (field === 'descriptor') fd = Number(this.text(c));
        else if (field === 'destination') dest = dest ?? c;
        else if (!c.isNamed) op += c.type;
        else if (c.isError) this.statement(c, [], null);
      }
      const target = dest ? this.word(dest) : null;
      // `>&2`, `2>&1`, `2>&-`: duplications, not files. `>& file` (bash) writes file.
      if ((op === '>&' || op === '<&') && (!target || (!target.dynamic && /^(\d+-?|-)$/.test(target.value)))) {
        out.push({ op, fd, target: null, access: null, substitutedInput: false, start: node.startIndex, end: node.endIndex });
        return;
      }
      if (op === '>&-' || op === '<&-') {
        out.push({ op, fd, target: null, access: null, substitutedInput: false, start: node.startIndex, end: node.endIndex });
        return;
      }
      const access = op === '<' ? 'read' : 'write';
      out.push({ op: op || '>', fd, target, access: target ? access : null, substitutedInput: false, start: node.startIndex, end: node.endIndex });
      if (!target) this.unsupported(node, 'redirection without a target');
      return;
    }
    if (node.type === 'herestring_redirect') {
      let substituted = false;
      for (let i = 0, kids = node.children; i < kids.length; i++) {
        const c = kids[i]!;
        if (c.isNamed) substituted = this.hasSubstitution(c) || substituted;
        if (c.isNamed) this.word(c);
      }
      out.push({ op: '<<<', fd: null, target: null, access: null, substitutedInput: substituted, start: node.startIndex, end: node.endIndex });
      return;
    }
    // heredoc_redirect: its body may hold substitutions; tree-sitter may nest more redirects
    // and even the rest of the pipeline/list inside it.
    let substituted = false;
    const start = node.children.find((c) => c!.type === 'heredoc_start');
    // A quoted delimiter ('EOF', "EOF", \EOF, E"O"F) makes the body literal: bash expands nothing in it.
    const expands = start !== undefined && !/['"\\]/.test(this.text(start));
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (!c.isNamed) continue;
      if (c.type === 'heredoc_body') {
        if (expands && this.silentExpansions(c)) {
          // The tree missed substitutions bash will run: the body is classified as what bash sees, a double-quoted string.
          this.hidden.push({ script: `: ${asDoubleQuoted(this.text(c))}`, start: c.startIndex, end: c.endIndex });
          substituted = true;
          continue;
        }
        for (let j = 0, kids = c.children; j < kids.length; j++) {
          const b = kids[j]!;
          if (b.type === 'heredoc_content' || !b.isNamed) continue;
          if (this.hasSubstitution(b)) substituted = true;
          this.word(b);
        }
      } else if (isRedirect(c.type)) this.redirect(c, out, trailing);
      else if (c.type !== 'heredoc_start' && c.type !== 'heredoc_end' && c.type !== 'comment') trailing.push(c);
    }
    out.unshift({ op: '<<', fd: null, target: null, access: null, substitutedInput: substituted, start: node.startIndex, end: node.endIndex });
  }

  /**
   * Whether an expanding heredoc body holds more command substitutions (`…` or $( )) than the tree
   * parsed: tree-sitter-bash gives no nodes for backticks in an unquoted body, nor for $( ) in a
   * `<<-` one.
   */
  private silentExpansions(body: TNode): boolean {
    const text = this.text(body);
    let expected = 0;
    let backticks = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\\') {
        i++; // an escaped character is literal
        continue;
      }
      if (ch === '`') backticks++;
      else if (ch === '$' && text[i + 1] === '(') expected++;
    }
    expected += Math.floor(backticks / 2) + (backticks % 2);
    if (expected === 0) return false;
    let found = 0;
    const count = (n: TNode) => {
      if (n.type === 'command_substitution' || n.type === 'arithmetic_expansion') found++;
      for (const c of n.children) count(c!);
    };
    count(body);
    return found < expected;
  }

  private hasSubstitution(node: TNode): boolean {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') return true;
    for (const c of node.children) if (this.hasSubstitution(c!)) return true;
    return false;
  }

  // ───────────────────────────── words ─────────────────────────────

  /** Normalises one word node; walks every substitution inside it. */
  word(node: TNode): Word {
    const w: Word = { value: '', dynamic: false, glob: false, procSub: false, start: node.startIndex, end: node.endIndex };
    this.wordInto(node, w, false);
    return w;
  }

  private wordInto(node: TNode, w: Word, quoted: boolean): void {
    switch (node.type) {
      case 'word':
      case 'command_name':
        if (node.children.length > 0 && node.type === 'command_name') {
          this.composite(node, w, quoted);
          return;
        }
        this.unquoted(this.text(node), w, node);
        return;
      case 'number':
      case 'file_descriptor':
        w.value += this.text(node);
        return;
      case 'raw_string':
        w.value += this.text(node).slice(1, -1);
        return;
      case 'ansi_c_string':
        w.value += this.ansiC(node);
        return;
      case 'string':
        if (this.text(node).startsWith('$')) {
          // $"…" is translated through the locale catalogue: its value is not static.
          w.dynamic = true;
          w.value += this.text(node);
        }
        this.stringInto(node, w);
        return;
      case 'translated_string':
        w.dynamic = true;
        w.value += this.text(node);
        this.stringInto(node, w);
        return;
      case 'concatenation':
        this.composite(node, w, quoted);
        if (!quoted && /\{[^{}]*(,|\.\.)[^{}]*\}/.test(this.text(node))) w.dynamic = true; // brace expansion: several words
        return;
      case 'simple_expansion':
        w.dynamic = true;
        w.value += this.text(node);
        return;
      case 'expansion':
        this.expansion(node);
        w.dynamic = true;
        w.value += this.text(node);
        return;
      case 'command_substitution':
        if (/^`[^]*\\[`$\\]/.test(this.text(node))) {
          // Inside `…` bash removes the backslash of \` \$ \\ and parses the text again: `echo \`id\``
          // runs id, which tree-sitter reads as a plain word.
          this.reason('substitution.backtick-escape', 'danger', 'a `…` substitution with escaped backticks or dollars: bash parses its text a second time', node);
        }
        this.children(node, []);
        w.dynamic = true;
        w.value += this.text(node);
        return;
      case 'process_substitution':
        this.children(node, []);
        w.procSub = true;
        w.dynamic = true;
        w.value += this.text(node);
        return;
      case 'arithmetic_expansion':
        this.arithmeticChildren(node);
        w.dynamic = true;
        w.value += this.text(node);
        return;
      case 'brace_expression':
        w.dynamic = true;
        w.value += this.text(node);
        return;
      case 'regex':
      case 'extglob_pattern':
      case 'test_operator':
        w.value += this.text(node);
        return;
      case 'string_content':
        w.value += unescapeDouble(this.text(node));
        return;
      default:
        if (node.isError || node.isMissing) {
          this.statement(node, [], null);
          w.dynamic = true;
          w.value += this.text(node);
          return;
        }
        if (!node.isNamed) {
          // Punctuation tree-sitter keeps as a token; a lone `$` may still expand in bash.
          if (this.text(node).includes('$') || this.text(node).includes('`')) w.dynamic = true;
          if (quoted) w.value += this.text(node);
          else this.unquoted(this.text(node), w, null);
          return;
        }
        this.unsupported(node, `${node.type} in a word`);
        w.dynamic = true;
        w.value += this.text(node);
    }
  }

  /** Children of a concatenation-like node; text between children is unquoted literal text. */
  private composite(node: TNode, w: Word, quoted: boolean): void {
    let pos = node.startIndex;
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.startIndex > pos) this.unquoted(this.src.slice(pos, c.startIndex), w, null);
      this.wordInto(c, w, quoted);
      pos = c.endIndex;
    }
    if (node.endIndex > pos) this.unquoted(this.src.slice(pos, node.endIndex), w, null);
  }

  private unquoted(text: string, w: Word, node: TNode | null): void {
    if (!text.includes('\\')) {
      // Most words hold no escapes: append the slice as is rather than rebuilding it one
      // character at a time (a long chain of concatenations that every later use must flatten).
      if (GLOB_CHAR.test(text)) w.glob = true;
      w.value += text;
      return;
    }
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === undefined) {
          // A trailing backslash before a newline outside the node is a continuation; else literal.
          if (node && this.src[node.endIndex] !== '\n') out += '\\';
          continue;
        }
        i++;
        if (next !== '\n') out += next;
        continue;
      }
      if (ch === '*' || ch === '?' || ch === '[') w.glob = true;
      out += ch;
    }
    w.value += out;
  }

  private stringInto(node: TNode, w: Word): void {
    let pos = node.startIndex;
    const end = node.endIndex;
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.startIndex > pos) {
        const gap = this.src.slice(pos, c.startIndex);
        if (gap !== '"' && gap !== '$"') w.value += unescapeDouble(gap.replace(/^\$?"/, ''));
      }
      if (c.isNamed) this.wordInto(c, w, true);
      pos = c.endIndex;
    }
    if (end > pos) {
      const gap = this.src.slice(pos, end);
      if (gap !== '"') w.value += unescapeDouble(gap.replace(/"$/, ''));
    }
  }

  private ansiC(node: TNode): string {
    const body = this.text(node).slice(2, -1);
    let out = '';
    let encodedPrintable = false;
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== '\\' || i + 1 >= body.length) {
        out += ch;
        continue;
      }
      const n = body[++i]!;
      const simple: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
      if (n in simple) {
        out += simple[n];
        continue;
      }
      let code: number;
      let m: RegExpMatchArray | null;
      const rest = body.slice(i);
      if ((m = /^[0-7]{1,3}/.exec(rest))) {
        code = parseInt(m[0], 8);
        i += m[0].length - 1;
      } else if ((m = /^x([0-9a-fA-F]{1,2})/.exec(rest))) {
        code = parseInt(m[1]!, 16);
        i += m[0].length - 1;
      } else if ((m = /^u([0-9a-fA-F]{1,4})/.exec(rest)) || (m = /^U([0-9a-fA-F]{1,8})/.exec(rest))) {
        code = parseInt(m[1]!, 16);
        i += m[0].length - 1;
      } else if (n === 'c' && i + 1 < body.length) {
        code = body.charCodeAt(++i) & 0x1f;
      } else {
        out += '\\' + n;
        continue;
      }
      if (code >= 0x21 && code <= 0x7e) encodedPrintable = true;
      try {
        out += String.fromCodePoint(code);
      } catch {
        out += '\ufffd';
      }
    }
    if (encodedPrintable) {
      // Spelling plain letters as \x72\x6d only hides them from a reader: flag it for a human.
      this.reason('word.obfuscated', 'write', `$'…' spells printable characters as escapes ("${out.replace(/[^\x20-\x7e]/g, '?')}")`, node);
    }
    return out;
  }

  // ───────────────────────────── expansions ─────────────────────────────

  /** `${…}`: walks operands; expansions that can run code when evaluated are danger. */
  private expansion(node: TNode): void {
    let sawName = false;
    let name = '';
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      const t = c.type;
      if (!c.isNamed) {
        if ((t === ':=' || t === '=') && sawName && isDangerousEnv(name)) {
          this.reason('env.dangerous', 'danger', `\${${name}${t}…} assigns ${name}, which changes which code programs run`, node);
        } else if (t === '!' && !sawName) {
          this.reason('expansion.indirect', 'danger', '${!…} expands a name chosen at run time (indirect expansion); its value is never read statically', node);
        } else if (t === '@' && sawName) {
          this.reason('expansion.transform', 'danger', '${x@…} parameter transformation (@P evaluates prompt escapes, which can run commands) is never read', node);
        }
        continue;
      }
      switch (t) {
        case 'variable_name':
          sawName = true;
          name = this.text(c);
          break;
        case 'special_variable_name':
          sawName = true;
          break;
        case 'subscript': {
          sawName = true;
          const index = fieldChild(c, 'index');
          if (index) this.subscriptIndex(index);
          break;
        }
        case 'number':
          break;
        default:
          this.operand(c);
          if (c.type !== 'word' && c.type !== 'regex') this.word(c);
      }
    }
  }

  /** tree-sitter leaves `…`, $(…) and escapes inside some operands as plain words: never let them pass unread. */
  private operand(node: TNode): void {
    if (node.type === 'word' || node.type === 'regex') {
      if (/[`\\]|\$\(/.test(this.text(node))) this.reason('expansion.operand', 'danger', 'an operand of ${…} holds escapes or a command substitution that NOME does not model', node);
      return;
    }
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.isNamed) this.operand(c);
    }
  }

  private subscriptIndex(index: TNode): void {
    const text = this.text(index);
    if (text === '@' || text === '*' || isInt(text)) return;
    // Indexed-array subscripts are evaluated arithmetically, and arithmetic evaluates variable
    // contents as expressions: `a[$x]` with x='b[$(id)]' runs id.
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && this.isIntVar(text)) return;
    if (index.type === 'simple_expansion' && this.isIntVar(text.replace(/^\$\{?|\}$/g, ''))) return;
    this.reason('arithmetic.subscript', 'danger', `the array subscript [${text}] is evaluated arithmetically, which can run code held in variables`, index);
    this.word(index);
  }

  // ───────────────────────────── arithmetic ─────────────────────────────

  private arithmeticChildren(node: TNode): void {
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.isNamed) this.arithmetic(c);
    }
  }

  /** Arithmetic evaluates variable contents recursively as expressions: only known integers are safe. */
  private arithmetic(node: TNode): void {
    switch (node.type) {
      case 'number':
        return;
      case 'variable_name':
      case 'word': {
        const name = this.text(node);
        if (isInt(name)) return;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !this.isIntVar(name)) {
          this.reason('arithmetic.variable', 'danger', `arithmetic evaluates the contents of "${name}" as an expression, which can run code`, node);
        }
        return;
      }
      case 'simple_expansion':
      case 'expansion': {
        const name = this.text(node).replace(/^\$\{?|\}$/g, '');
        if (SPECIAL_INT_VARS.has(name) || (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && this.isIntVar(name))) return;
        this.reason('arithmetic.variable', 'danger', `arithmetic evaluates the value of ${this.text(node)} as an expression, which can run code`, node);
        if (node.type === 'expansion') this.expansion(node);
        return;
      }
      case 'subscript':
        this.reason('arithmetic.subscript', 'danger', 'an array subscript inside arithmetic can run code held in variables', node);
        this.arithmeticChildren(node);
        return;
      case 'command_substitution':
        this.reason('arithmetic.substitution', 'danger', 'command output evaluated as arithmetic can run code', node);
        this.children(node, []);
        return;
      case 'variable_assignment': {
        const name = fieldChild(node, 'name');
        const value = fieldChild(node, 'value');
        if (value) this.arithmetic(value);
        if (name && name.type === 'subscript') this.arithmetic(name);
        return;
      }
      case 'binary_expression':
      case 'unary_expression':
      case 'postfix_expression':
      case 'ternary_expression':
      case 'parenthesized_expression':
        this.arithmeticChildren(node);
        return;
      default:
        if (!node.isNamed) return;
        this.unsupported(node, `${node.type} in arithmetic`);
    }
  }

  /** Integer-only variables: assigned only integer literals (or arithmetic on them) in this script. */
  private isIntVar(name: string): boolean {
    if (SPECIAL_INT_VARS.has(name)) return true;
    if (!this.intVars) this.intVars = this.collectIntVars();
    return this.intVars.has(name);
  }

  /** Names given non-integer values so far (created on first use, see collectIntVars). */
  private tainted: Set<string> | null = null;
  private taint(name: string): void {
    (this.tainted ??= new Set()).add(name);
    this.intVars?.delete(name);
  }

  private collectIntVars(): Set<string> {
    // A pre-pass over the whole script: a name is an integer variable when some assignment gives it
    // an integer literal or arithmetic, and no other assignment (or command argument such as
    // `read x`) could give it anything else.
    const candidates = new Set<string>();
    const tainted = new Set<string>(this.tainted ?? NO_NAMES);
    const stack: TNode[] = [this.root!];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'variable_assignment') {
        const name = fieldChild(n, 'name');
        const value = fieldChild(n, 'value');
        const key = name?.type === 'subscript' ? this.textOr(fieldChild(name, 'name')) : this.textOr(name);
        const inArith = n.parent && /expression|c_style_for_statement|compound_statement/.test(n.parent.type) && n.parent.children[0]?.type !== '{';
        if (value && (isInt(this.text(value)) || value.type === 'arithmetic_expansion' || inArith) && !this.text(n).includes('+=')) candidates.add(key);
        else tainted.add(key);
      } else if (n.type === 'word' && n.parent?.type === 'command') {
        tainted.add(this.text(n));
      } else if (n.type === 'binary_expression' && n.children.length === 3 && n.children[1]!.type === '=') {
        // `(( i = 0 ))`: an integer literal assigned in arithmetic.
        const first = n.children[0]!;
        if ((first.type === 'word' || first.type === 'variable_name') && isInt(this.text(n.children[2]!))) candidates.add(this.text(first));
        else tainted.add(this.text(first));
      }
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]!);
    }
    for (const t of tainted) candidates.delete(t);
    return candidates;
  }

  // ───────────────────────────── tests ─────────────────────────────

  private testCommand(node: TNode): void {
    for (let i = 0, kids = node.children; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.isNamed) this.testOperand(c);
    }
  }

  private testOperand(n: TNode): void {
    if (n.type === 'binary_expression') {
      const op = fieldChild(n, 'operator');
      if (op && ARITH_TEST_OPS.has(this.text(op))) {
        // [[ a -eq b ]] evaluates both sides arithmetically.
        for (let i = 0, kids = n.children; i < kids.length; i++) {
          const c = kids[i]!;
          if (c === op || !c.isNamed) continue;
          if (c.type === 'number' || isInt(this.text(c))) continue;
          this.arithmetic(c);
        }
        return;
      }
    }
    if (n.type === 'unary_expression' && n.children[0]?.type === 'test_operator' && /^-[vR]$/.test(this.text(n.children[0]))) {
      // -v NAME: a subscript in the name is expanded and evaluated (`[ -v 'a[$(cmd)]' ]` runs cmd).
      const operand = n.children[1];
      if (operand) {
        const w = this.word(operand);
        const sub = /^[A-Za-z_]\w*\[(.*)\]$/s.exec(w.value);
        if (w.dynamic || (sub && !/^([0-9]+|@|\*)$/.test(sub[1]!))) this.reason('arithmetic.subscript', 'danger', `test -v ${w.value}: a subscript in the name is expanded and evaluated, which can run code`, operand);
      }
      return;
    }
    if (n.type === 'binary_expression' || n.type === 'unary_expression' || n.type === 'parenthesized_expression' || n.type === 'negated_expression') {
      for (let i = 0, kids = n.children; i < kids.length; i++) {
        const c = kids[i]!;
        if (c.isNamed && c.type !== 'test_operator') this.testOperand(c);
      }
      return;
    }
    if (n.type === 'test_operator' || n.type === 'comment') return;
    this.word(n);
  }
}


function isRedirect(type: string): boolean {
  return type === 'file_redirect' || type === 'heredoc_redirect' || type === 'herestring_redirect';
}

/** Inside double quotes only \$ \` \" \\ and \<newline> are escapes. */
function unescapeDouble(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

/**
 * An expanding heredoc body as the double-quoted string bash treats it like: the same expansions,
 * and a backslash special only before $ ` \ and a newline. A `"` is literal in the body, so it is
 * escaped, and a backslash before it, literal too, is kept as a backslash.
 */
export function asDoubleQuoted(body: string): string {
  let out = '"';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\') {
      const next = body[i + 1];
      if (next === '"') {
        out += '\\\\\\"';
        i++;
        continue;
      }
      out += ch;
      if (next !== undefined) {
        out += next;
        i++;
      }
      continue;
    }
    out += ch === '"' ? '\\"' : ch;
  }
  return `${out}"`;
}
