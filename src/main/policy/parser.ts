/**
 * Loads web-tree-sitter and the tree-sitter-bash grammar once per process; every engine shares
 * one Parser (parsing is synchronous, so sharing is safe on one thread). Runtime: plain Node.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { enableDirectCursor, enableDirectParse } from './tree';

let loading: Promise<Parser> | null = null;

/**
 * Exercises most node kinds the walker reads (fields, anonymous tokens, heredocs, arithmetic,
 * expansions, an ERROR and a MISSING node) to check the direct cursor path against the public one.
 */
const PROBES = [
  'f() { a=1 b[$i]=2 c=(x "$y") cmd -x "s $v" \'q\' $\'\\x41\' <(p) 2>&1 >out <<<"w" | g && ! h; }',
  'for i in 1 2; do (( i += 1 )); [[ $i -eq 2 && -f x ]]; done; case $x in a|b) echo ${x:-$(id)} ${!y} $((1+z));; esac',
  'cat <<EOF > f\n$(id) body\nEOF\nif a; then b; elif c; then d; else e; fi; while :; do { x; } 2>/dev/null; done',
  'echo "unterminated $(( ; ) | }',
  'if a; then b $(c',
  '(a',
];

export function loadBashParser(): Promise<Parser> {
  if (!loading) {
    loading = (async () => {
      const require = createRequire(__filename);
      // web-tree-sitter builds its WASM module on this object; tree.ts may use its raw cursor and
      // parse exports (see enableDirectCursor, enableDirectParse), falling back to the public API.
      const module: object = {};
      await Parser.init(module);
      const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
      const parser = new Parser();
      parser.setLanguage(language);
      const probes = PROBES.map((p) => parser.parse(p)).filter((t) => t !== null);
      try {
        enableDirectCursor(module, probes);
      } finally {
        for (const t of probes) t.delete();
      }
      enableDirectParse(module, parser, PROBES);
      return parser;
    })();
    // A failed load must not poison later attempts (e.g. a transient read error).
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
