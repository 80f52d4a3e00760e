/**
 * The matcher's indexes (literal runs, trigrams, static prefixes) only skip work: whatever they
 * skip, a plain `ignore` instance per rule must agree. Property-tested with awkward alphabets
 * (case pairs that lower-casing treats differently from case-insensitive regexes, escapes,
 * brackets); git agreement itself is the differential test's job.
 */
import fc from 'fast-check';
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { absolutePatterns, CompiledRules, escapeGlob, isFloating, requiredLiterals, staticPrefix } from '../../../src/main/permissions/matcher';
import type { SourceRule } from '../../../src/main/permissions/rules';

/** A wide alphabet (awkward case pairs, escapes, brackets) and a narrow one (so that many pairs match). */
const ALPHABETS = {
  wide: ['a', 'b', 'A', 'B', '.', '-', 'σ', 'ς', 'Σ', 'K', 'k', 'é', ' ', 'ab', 'abc', 'ABC', 'xyz'],
  narrow: ['a', 'b', 'A', 'abc', 'Abc'],
};
const GLOBS = { wide: ['*', '?', '**', '[ab]', '[!a]', '[a-c]', '\\*', '\\a', '['], narrow: ['*', '?', '**', '[ab]'] };

function arbitraries(alphabet: keyof typeof ALPHABETS) {
  const chars = ALPHABETS[alphabet];
  const segment = fc.array(fc.constantFrom(...chars, ...GLOBS[alphabet]), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(''));
  const pattern = fc
    .tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
    .map(([parts, lead, trail]) => `${lead ? '/' : ''}${parts.join('/')}${trail ? '/' : ''}`)
    .filter((p) => !p.includes('//') && p.trim() !== '' && !p.endsWith('\\'));
  const name = fc
    .array(fc.constantFrom(...chars), { minLength: 1, maxLength: 4 })
    .map((xs) => xs.join('').trim())
    .filter((n) => n !== '' && n !== '.' && n !== '..');
  const relPath = fc.tuple(fc.array(name, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([parts, dir]) => parts.join('/') + (dir ? '/' : ''));
  return { pattern, relPath };
}

describe('the compiled matcher agrees with one ignore instance per rule', () => {
  for (const alphabet of ['wide', 'narrow'] as const) {
    for (const ignoreCase of [false, true]) {
      it(`${alphabet} alphabet, case ${ignoreCase ? 'insensitive' : 'sensitive'}`, () => {
        const { pattern, relPath } = arbitraries(alphabet);
        let positives = 0;
        fc.assert(
          fc.property(fc.array(pattern, { minLength: 1, maxLength: 12 }), fc.array(relPath, { minLength: 1, maxLength: 12 }), (patterns, paths) => {
            // A leading slash means absolute in a layer: anchor these under a directory instead.
            const rel = patterns.map((p) => p.replace(/^\//, 'r/'));
            const rules: SourceRule[] = rel.map((p, i) => ({ layer: 'user', source: 's', line: i, pattern: p, level: 'readOnly' }));
            const compiled = new CompiledRules(rules, { home: ['/h'], placeholders: {} });
            for (const p of paths) {
              const found = new Set<number>();
              compiled.collect('ws', p, ignoreCase, found);
              rel.forEach((pat, i) => {
                const expected = ignore({ ignorecase: ignoreCase }).add(pat).ignores(p);
                if (expected) positives++;
                expect(found.has(i), `${pat} vs ${p}`).toBe(expected);
              });
            }
          }),
          { numRuns: 300, seed: 42 },
        );
        expect(positives).toBeGreaterThan(50);
      });
    }
  }
});

describe('index helpers', () => {
  it('requiredLiterals takes plain runs and skips simple brackets', () => {
    expect(requiredLiterals('*.pem')).toEqual(['.pem']);
    expect(requiredLiterals('src[0-9]702*')).toEqual(['src', '702']);
    expect(requiredLiterals('ab[]cd]ef')).toEqual(['ab']);
    expect(requiredLiterals('a\\*bc/de')).toEqual(['bc', 'de']);
    expect(requiredLiterals('!negated')).toEqual([]);
  });
  it('staticPrefix takes leading glob-free components of anchored patterns', () => {
    expect(staticPrefix('/home/u/.ssh/**', false)).toBe('home/u/.ssh');
    expect(staticPrefix('src/lib/*.ts', false)).toBe('src/lib');
    expect(staticPrefix('/we\\[i\\]rd/x', false)).toBe('we[i]rd/x');
    expect(staticPrefix('*.pem', false)).toBeNull();
    expect(staticPrefix('**/x/y', false)).toBeNull();
    expect(staticPrefix('/Σ/x', true)).toBeNull();
    expect(staticPrefix('/Ab/x', true)).toBe('ab/x');
  });
  it('absolutePatterns expands ~ and placeholders with escaped paths', () => {
    const ctx = { home: ['/home/u', '/real/u'], placeholders: { dataDir: ['/d [1]'] } };
    expect(absolutePatterns('~/.ssh/**', ctx)).toEqual(['/home/u/.ssh/**', '/real/u/.ssh/**']);
    expect(absolutePatterns('~', ctx)).toEqual(['/home/u', '/real/u']);
    expect(absolutePatterns('{dataDir}', ctx)).toEqual(['/d \\[1\\]']);
    expect(absolutePatterns('/etc/x', ctx)).toEqual(['/etc/x']);
    expect(absolutePatterns('docs/**', ctx)).toBeNull();
    expect(escapeGlob('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
  });
  it('isFloating: no inner slash, or a leading **/', () => {
    expect(isFloating('.env')).toBe(true);
    expect(isFloating('build/')).toBe(true);
    expect(isFloating('**/.git/hooks/**')).toBe(true);
    expect(isFloating('docs/**')).toBe(false);
    expect(isFloating('/x')).toBe(false);
  });
  it('absolute patterns with a static prefix match their subtree, case-folded when asked', () => {
    const rules: SourceRule[] = [{ layer: 'built-in', source: 'built-in', line: null, pattern: '/Home/U/.ssh/**', level: 'noAccess' }];
    const compiled = new CompiledRules(rules, { home: [], placeholders: {} });
    const hit = (p: string, ci: boolean) => {
      const out = new Set<number>();
      compiled.collect('abs', p, ci, out);
      return out.has(0);
    };
    expect(hit('Home/U/.ssh/id', false)).toBe(true);
    expect(hit('home/u/.ssh/id', false)).toBe(false);
    expect(hit('home/u/.ssh/id', true)).toBe(true);
    expect(hit('Home/U/.sshx/id', false)).toBe(false);
  });
});
