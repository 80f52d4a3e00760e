/** Random and mutated commands never throw, and anything with a parse error is never read. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPolicyEngine, type PolicyEngine } from '../../../src/main/policy';
import { loadBashParser } from '../../../src/main/policy/parser';

let engine: PolicyEngine;
let hasError: (s: string) => boolean;
const CORPUS = path.resolve(__dirname, '../../fixtures/corpus/peer-commands.jsonl');
const seeds = readFileSync(CORPUS, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { cmd: string }).cmd)
  .slice(0, 400);

beforeAll(async () => {
  engine = await createPolicyEngine();
  const parser = await loadBashParser();
  hasError = (s) => {
    const t = parser.parse(s)!;
    const e = t.rootNode.hasError;
    t.delete();
    return e;
  };
});

const TOKENS = ['ls', 'rm', '-rf', '/', 'git', 'status', '&&', '||', ';', '|', '>', '>>', '<', '<<<', '$(', ')', '`', '"', "'", '${', '}', '$', '(', '((', '))', '{', '[[', ']]', 'if', 'then', 'fi', 'for', 'do', 'done', 'case', 'esac', '\\', '\n', '*', '?', '~', '=', 'x=1', 'bash', '-c', 'eval', 'sudo', 'xargs', 'find', '-exec', '{}', ';', '&', '!', '@P', '#', "$'\\x41'", '<<EOF', 'EOF', '2>&1', '=(', ' ', '\t'];

function check(cmd: string): void {
  const r = engine.classify(cmd, { workspace: '/tmp/nome-fuzz-ws' });
  expect(['read', 'write', 'danger']).toContain(r.tier);
  expect(r.reasons.length).toBeGreaterThan(0);
  if (hasError(cmd)) expect(r.tier, JSON.stringify(cmd)).toBe('danger');
  const bytes = Buffer.byteLength(cmd);
  for (const x of r.reasons) {
    expect(x.span[0]).toBeGreaterThanOrEqual(0);
    expect(x.span[1]).toBeLessThanOrEqual(bytes);
  }
}

describe('fuzz', () => {
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80, unit: 'grapheme' }), check), { numRuns: 400 });
  });
  it('random token soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }).map((t) => t.join(' ')), check), { numRuns: 600 });
  });
  it('mutated corpus commands', () => {
    const mutate = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.constantFrom(...TOKENS, ''), fc.nat({ max: 3 })).map(([s, at, tok, del]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return s.slice(0, i) + tok + s.slice(Math.min(s.length, i + del));
    });
    fc.assert(fc.property(mutate, check), { numRuns: 800 });
  });
  it('non-string input is a danger result, not a throw', () => {
    expect(engine.classify(undefined as unknown as string).tier).toBe('danger');
  });
});
