/**
 * Loads web-tree-sitter and the tree-sitter-bash grammar once per process; every engine shares
 * one Parser (parsing is synchronous, so sharing is safe on one thread). Runtime: plain Node.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

let loading: Promise<Parser> | null = null;

export function loadBashParser(): Promise<Parser> {
  if (!loading) {
    loading = (async () => {
      const require = createRequire(__filename);
      await Parser.init();
      const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    })();
    // A failed load must not poison later attempts (e.g. a transient read error).
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
