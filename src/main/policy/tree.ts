/**
 * Copies a tree-sitter tree into plain JS objects in one TreeCursor pass, so the walker never
 * crosses into WASM per property: web-tree-sitter answers every `node.type`, `node.children`,
 * `node.text`… with a call into the WASM module (and a fresh wrapper object). Text is never
 * copied: callers slice the source with `startIndex`/`endIndex` (UTF-16 indices, as
 * tree-sitter's). Runtime: plain Node.
 */
import type { Language, Parser, Tree, TreeCursor } from 'web-tree-sitter';

/**
 * A tree from parseTree: web-tree-sitter's Tree, or (on the direct path) just the tree's WASM
 * address and language, which is all copyTree and treeHasError read there.
 */
export interface RawTree {
  readonly 0: number;
  readonly language: Language;
}

export type ParsedTree = Tree | RawTree;

export interface TNode {
  readonly type: string;
  readonly isNamed: boolean;
  /** An ERROR node (a syntax error tree-sitter recovered from). */
  readonly isError: boolean;
  /** A node the parser inserted to recover (only ever true when the tree has errors). */
  readonly isMissing: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  /** The field this node fills in its parent (`name`, `body`, `value`…), if any. */
  readonly fieldName: string | null;
  readonly parent: TNode | null;
  readonly children: readonly TNode[];
}

/** tree-sitter's id for ERROR nodes. */
const ERROR_SYMBOL = 0xffff;

interface LanguageTables {
  types: readonly string[];
  fields: readonly (string | null)[];
  named: readonly boolean[];
}

const tables = new WeakMap<Language, LanguageTables>();

/** Whether a node type is named depends only on the type (aliases included): look it up once. */
function tablesOf(language: Language): LanguageTables {
  let t = tables.get(language);
  if (!t) {
    const named: boolean[] = [];
    for (let i = 0; i < language.types.length; i++) named.push(language.nodeTypeIsNamed(i));
    t = { types: language.types, fields: language.fields, named };
    tables.set(language, t);
  }
  return t;
}

/** Shared by every leaf (most nodes): never mutated, see addChild. */
const NO_CHILDREN: TNode[] = [];

interface MutableNode extends TNode {
  children: TNode[];
}

function makeNode(type: string, isNamed: boolean, isError: boolean, isMissing: boolean, startIndex: number, endIndex: number, fieldName: string | null, parent: TNode | null): MutableNode {
  return { type, isNamed, isError, isMissing, startIndex, endIndex, fieldName, parent, children: NO_CHILDREN };
}

function addChild(parent: MutableNode, child: TNode): void {
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else parent.children.push(child);
}

/**
 * web-tree-sitter's own cursor functions, called without its JS wrappers. Each wrapper call
 * re-marshals the cursor through a transfer buffer with generic setValue/getValue; the raw
 * exports read the cursor that the previous call left in that buffer, so a walk costs one
 * plain WASM call per fact. These are the exports TreeCursor itself calls (web-tree-sitter
 * 0.27, the pinned version); enableDirectCursor() only switches to them after checking every
 * export exists and that a probe tree copies identically both ways.
 */
export interface WasmCursorExports {
  _ts_tree_root_node_wasm(tree: number): void;
  _ts_tree_cursor_new_wasm(tree: number): void;
  _ts_tree_cursor_delete_wasm(tree: number): void;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_node_has_error_wasm(tree: number): number;
}

const EXPORTS: readonly (keyof WasmCursorExports)[] = [
  '_ts_tree_root_node_wasm',
  '_ts_tree_cursor_new_wasm',
  '_ts_tree_cursor_delete_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_node_has_error_wasm',
];

let direct: WasmCursorExports | null = null;

/**
 * The raw parse entry points and the callback slot web-tree-sitter's parse callback import reads
 * (the module object given to Parser.init). Parser.parse wraps the same call, and then registers
 * every Tree with a FinalizationRegistry (and unregisters it on delete) — a measurable share of a
 * short command's parse that the engine, which deletes each tree synchronously, does not need.
 */
interface WasmParseModule {
  _ts_parser_parse_wasm(parser: number, inputBuffer: number, oldTree: number, ranges: number, rangeCount: number): number;
  _ts_tree_delete(tree: number): void;
  currentParseCallback: ((index: number) => string) | null;
  currentProgressCallback: unknown;
}

let rawParse: WasmParseModule | null = null;

/**
 * Switches copyTree to the raw cursor exports of `module` (the object given to Parser.init) when
 * it has them and every probe tree copies to the same plain tree both ways. Returns whether the
 * direct path is on; without it copyTree uses the public TreeCursor API.
 */
export function enableDirectCursor(module: unknown, probes: readonly Tree[]): boolean {
  direct = null;
  const m = module as Partial<Record<keyof WasmCursorExports, unknown>> | null;
  if (!m || EXPORTS.some((name) => typeof m[name] !== 'function')) return false;
  try {
    const viaApi = probes.map((p) => copyTree(p));
    direct = m as WasmCursorExports;
    if (!probes.every((p, i) => treeHasError(p) === p.rootNode.hasError && sameTree(copyTree(p), viaApi[i]!))) direct = null;
  } catch {
    direct = null;
  }
  return direct !== null;
}

/**
 * Switches parseTree to the raw parse export (direct cursor path only) when `module` has it and
 * every probe parses to the same plain tree both ways. Returns whether the raw parse is on.
 */
export function enableDirectParse(module: unknown, parser: Parser, probes: readonly string[]): boolean {
  rawParse = null;
  const m = module as Partial<WasmParseModule> | null;
  if (!direct || !m || typeof m._ts_parser_parse_wasm !== 'function' || typeof m._ts_tree_delete !== 'function' || !('currentParseCallback' in m)) return false;
  try {
    const viaApi = probes.map((text) => {
      const tree = parser.parse(text);
      if (!tree) throw new Error('probe did not parse');
      try {
        return { hasError: treeHasError(tree), root: copyTree(tree) };
      } finally {
        tree.delete();
      }
    });
    rawParse = m as WasmParseModule;
    for (let i = 0; i < probes.length; i++) {
      const tree = parseTree(parser, probes[i]!);
      if (!tree) throw new Error('probe did not parse');
      let same = false;
      try {
        const hasError = treeHasError(tree);
        same = hasError === viaApi[i]!.hasError && sameTree(copyTree(tree, hasError), viaApi[i]!.root);
      } finally {
        deleteTree(tree);
      }
      if (!same) {
        rawParse = null;
        break;
      }
    }
  } catch {
    rawParse = null;
  }
  return rawParse !== null;
}

/** Whether parseTree uses the raw parse export (for diagnostics and the bench). */
export function usesDirectParse(): boolean {
  return rawParse !== null;
}

/** The text the raw parse is reading; only set for the duration of one parseTree call. */
let parsing = '';
/** What Parser.parse installs for a string: the input from `index` on. */
function readParsing(index: number): string {
  return parsing.slice(index);
}

/** Parses `text` with `parser`; free the result with deleteTree. Null as Parser.parse's null. */
export function parseTree(parser: Parser, text: string): ParsedTree | null {
  const m = rawParse;
  // A logger (never set by NOME) is only honoured by Parser.parse.
  if (!m || parser.getLogger()) return parser.parse(text);
  const handles = parser as unknown as Record<number, number>;
  parsing = text;
  m.currentParseCallback = readParsing;
  m.currentProgressCallback = null;
  let address: number;
  try {
    address = m._ts_parser_parse_wasm(handles[0]!, handles[1]!, 0, 0, 0);
  } finally {
    m.currentParseCallback = null;
    parsing = '';
  }
  if (!address || !parser.language) {
    if (address) m._ts_tree_delete(address);
    return null;
  }
  return { 0: address, language: parser.language };
}

/** Frees a tree from parseTree. */
export function deleteTree(tree: ParsedTree): void {
  if (isApiTree(tree)) tree.delete();
  else rawParse!._ts_tree_delete(tree[0]);
}

function isApiTree(tree: ParsedTree): tree is Tree {
  return typeof (tree as Tree).delete === 'function';
}

/** Whether copyTree uses the raw cursor exports (for diagnostics and the bench). */
export function usesDirectCursor(): boolean {
  return direct !== null;
}

function sameTree(a: TNode, b: TNode): boolean {
  if (a.type !== b.type || a.isNamed !== b.isNamed || a.isError !== b.isError || a.isMissing !== b.isMissing) return false;
  if (a.startIndex !== b.startIndex || a.endIndex !== b.endIndex || a.fieldName !== b.fieldName || a.children.length !== b.children.length) return false;
  for (let i = 0; i < a.children.length; i++) if (!sameTree(a.children[i]!, b.children[i]!)) return false;
  return true;
}

/** The tree's WASM address, as every web-tree-sitter wrapper passes it. */
function addressOf(tree: ParsedTree): number {
  return (tree as unknown as Record<number, number>)[0]!;
}

/** `tree.rootNode.hasError`, without building a Node wrapper on the direct path. */
export function treeHasError(tree: ParsedTree): boolean {
  if (!direct) return apiTree(tree).rootNode.hasError;
  const tp = addressOf(tree);
  direct._ts_tree_root_node_wasm(tp);
  return direct._ts_node_has_error_wasm(tp) === 1;
}

/**
 * The whole tree as plain objects; the tree itself may be deleted afterwards. `fieldParents`:
 * the parent types whose children's field names are wanted (others get null, which saves a WASM
 * call per node); null copies every field name.
 */
export function copyTree(tree: ParsedTree, hasError = treeHasError(tree), fieldParents: ReadonlySet<string> | null = null): TNode {
  const t = tablesOf(tree.language);
  // Missing nodes only exist in trees with errors; asking costs a WASM call per node.
  const askMissing = hasError;
  return direct ? copyDirect(direct, tree, t, askMissing, fieldParents) : copyViaApi(apiTree(tree), t, askMissing, fieldParents);
}

/** Without the direct exports parseTree only returns web-tree-sitter Trees. */
function apiTree(tree: ParsedTree): Tree {
  if (!isApiTree(tree)) throw new Error('a raw tree needs the direct cursor exports');
  return tree;
}

function copyDirect(c: WasmCursorExports, tree: ParsedTree, t: LanguageTables, askMissing: boolean, fieldParents: ReadonlySet<string> | null): TNode {
  const tp = addressOf(tree);
  c._ts_tree_root_node_wasm(tp);
  c._ts_tree_cursor_new_wasm(tp);
  try {
    let id = c._ts_tree_cursor_current_node_type_id_wasm(tp);
    const root = makeNode(t.types[id] || 'ERROR', id === ERROR_SYMBOL || t.named[id] === true, id === ERROR_SYMBOL, askMissing && c._ts_tree_cursor_current_node_is_missing_wasm(tp) === 1, c._ts_tree_cursor_start_index_wasm(tp), c._ts_tree_cursor_end_index_wasm(tp), null, null);
    let current = root;
    let fields = fieldParents === null || fieldParents.has(current.type);
    if (c._ts_tree_cursor_goto_first_child_wasm(tp) !== 1) return root;
    for (;;) {
      id = c._ts_tree_cursor_current_node_type_id_wasm(tp);
      const isError = id === ERROR_SYMBOL;
      const n = makeNode(
        t.types[id] || 'ERROR',
        isError || t.named[id] === true,
        isError,
        askMissing && c._ts_tree_cursor_current_node_is_missing_wasm(tp) === 1,
        c._ts_tree_cursor_start_index_wasm(tp),
        c._ts_tree_cursor_end_index_wasm(tp),
        fields ? (t.fields[c._ts_tree_cursor_current_field_id_wasm(tp)] ?? null) : null,
        current,
      );
      addChild(current, n);
      if (c._ts_tree_cursor_goto_first_child_wasm(tp) === 1) {
        current = n;
        fields = fieldParents === null || fieldParents.has(current.type);
        continue;
      }
      while (c._ts_tree_cursor_goto_next_sibling_wasm(tp) !== 1) {
        if (c._ts_tree_cursor_goto_parent_wasm(tp) !== 1 || current === root) return root;
        current = current.parent as MutableNode;
        fields = fieldParents === null || fieldParents.has(current.type);
      }
    }
  } finally {
    // Nothing else touched the transfer buffer since the last cursor call: it still holds the cursor.
    c._ts_tree_cursor_delete_wasm(tp);
  }
}

function copyViaApi(tree: Tree, t: LanguageTables, askMissing: boolean, fieldParents: ReadonlySet<string> | null): TNode {
  const cursor: TreeCursor = tree.walk();
  try {
    let id = cursor.nodeTypeId;
    const root = makeNode(t.types[id] || 'ERROR', id === ERROR_SYMBOL || t.named[id] === true, id === ERROR_SYMBOL, askMissing && cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex, null, null);
    let current = root;
    let fields = fieldParents === null || fieldParents.has(current.type);
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      id = cursor.nodeTypeId;
      const isError = id === ERROR_SYMBOL;
      const n = makeNode(
        t.types[id] || 'ERROR',
        isError || t.named[id] === true,
        isError,
        askMissing && cursor.nodeIsMissing,
        cursor.startIndex,
        cursor.endIndex,
        fields ? (t.fields[cursor.currentFieldId] ?? null) : null,
        current,
      );
      addChild(current, n);
      if (cursor.gotoFirstChild()) {
        current = n;
        fields = fieldParents === null || fieldParents.has(current.type);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || current === root) return root;
        current = current.parent as MutableNode;
        fields = fieldParents === null || fieldParents.has(current.type);
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The first child filling `field` (as tree-sitter's childForFieldName: extras never fill a field). */
export function fieldChild(node: TNode, field: string): TNode | null {
  const kids = node.children;
  for (let i = 0; i < kids.length; i++) if (kids[i]!.fieldName === field) return kids[i]!;
  return null;
}
