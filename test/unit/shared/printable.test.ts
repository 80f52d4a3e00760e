/** What a person is shown is what will run (issue 9, point 5). */
import { describe, expect, it } from 'vitest';
import { printable, printableJson } from '../../../src/shared/printable';

describe('printable', () => {
  it('spells out the escapes that would make a command display as another', () => {
    const disguised = 'rm -rf ~ \x1b[55D\x1b[Kgit status';
    expect(printable(disguised)).toBe('rm -rf ~ \\e[55D\\e[Kgit status');
    expect(printable('a\rb\tc\nd\x00\x07\x7f')).toBe('a\\rb\\tc\\nd\\x00\\x07\\x7f');
  });
  it('escapes C1 controls and the invisible characters that reorder or hide text', () => {
    expect(printable('x\u009b2Jy')).toBe('x\\u{9b}2Jy');
    expect(printable('echo safe\u202e;hs.liated')).toBe('echo safe\\u{202e};hs.liated');
    expect(printable('a\u200bb\u2066c\u2069\ufeff')).toBe('a\\u{200b}b\\u{2066}c\\u{2069}\\u{feff}');
  });
  it('leaves ordinary text alone, backslashes and non-ASCII included; multiline keeps line breaks', () => {
    expect(printable("printf 'a\\n' | grep é漢字😀")).toBe("printf 'a\\n' | grep é漢字😀");
    expect(printable('one\ntwo\x1b', { multiline: true })).toBe('one\ntwo\\e');
  });
  it('printableJson is the same value for a parser, with nothing hidden from a reader', () => {
    const value = { subject: 'git status\u202e\u009b\x1b', n: 1 };
    const text = printableJson(value);
    for (const hidden of ["\u202e", "\u009b", "\x1b"]) expect(text).not.toContain(hidden);
    expect(JSON.parse(text)).toEqual(value);
  });
});
