/**
 * Text a person reads, made safe to show: control characters cannot move the cursor, erase, change
 * colours, reorder text or hide part of it, so what is shown is what will run. A command such as
 * `rm -rf ~ \e[55D\e[Kgit status` displays with its escapes spelled out, never as `git status`.
 *
 * Escaped: C0 controls and DEL (`\n`, `\r`, `\t`, `\e`, else `\xNN`), C1 controls (`\u{NN}`), and
 * the invisible format characters that reorder or hide text (bidirectional overrides and isolates,
 * zero-width characters, the BOM, the line and paragraph separators). Everything else, including
 * backslashes and other non-ASCII text, is shown as it is.
 *
 * Runtime: any (shared by the CLI and the renderer).
 */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/** `multiline` keeps line breaks as they are, for a block (a `<pre>`) that shows every line anyway. */
export function printable(text: string, opts: { multiline?: boolean } = {}): string {
  return text.replace(UNSAFE, (c) => {
    if (opts.multiline && c === '\n') return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.codePointAt(0)!;
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

const UNSAFE_IN_JSON = /[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * JSON whose text is safe to show (JSON.stringify already escapes C0 controls; this escapes the
 * rest of `printable`'s set as `\uXXXX`): the same value for a parser, nothing hidden from a reader.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
