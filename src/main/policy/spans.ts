/**
 * tree-sitter (web) reports UTF-16 code-unit indices; the contract speaks UTF-8 bytes. For the
 * common all-ASCII command the two are equal, so the table is only built when needed.
 * Runtime: plain Node.
 */
export type SpanMapper = (index: number) => number;

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

export function utf8Mapper(source: string): SpanMapper {
  if (!NON_ASCII.test(source)) return (i) => i;
  const table = new Uint32Array(source.length + 1);
  let bytes = 0;
  for (let i = 0; i < source.length; i++) {
    table[i] = bytes;
    const c = source.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < source.length) {
      // A surrogate pair is one 4-byte code point; the low half maps to the same start.
      table[i + 1] = bytes;
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  table[source.length] = bytes;
  return (i) => table[Math.max(0, Math.min(i, source.length))]!;
}

/** Converts a UTF-8 byte offset back to a UTF-16 index (for underlining in plain output). */
export function utf16Index(source: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < source.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = source.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return source.length;
}
