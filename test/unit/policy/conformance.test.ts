/**
 * Conformance with the peer corpus (test/fixtures/corpus/peer-commands.jsonl, vendored from ../shared
 * so a plain clone passes): rows the peers call dangerous are never
 * read; POSIX rows they call safe/read-only are read — except the deliberate differences recorded,
 * row by row, in conformance-differences.json.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildToolMatrix, createPolicyEngine, type PolicyEngine } from '../../../src/main/policy';
import differences from './conformance-differences.json';

const repoRoot = path.resolve(__dirname, '../../..');
export const CORPUS = path.resolve(repoRoot, 'test/fixtures/corpus/peer-commands.jsonl');

interface Row {
  cmd: string;
  verdict: string;
  source: string;
  note?: string;
}

const NOT_READ = new Set(['dangerous', 'deny', 'dangerous_substitution', 'sandbox_write_blocked']);
const READ = new Set(['safe', 'read_only']);
const key = (cmd: string, verdict: string) => `${verdict}\0${cmd}`;
const recorded = new Map(differences.differences.map((d) => [key(d.cmd, d.verdict), d]));

let engine: PolicyEngine;
let rows: Row[];
const ws = mkdtempSync(path.join(os.tmpdir(), 'nome-conformance-'));

beforeAll(async () => {
  engine = await createPolicyEngine();
  expect(existsSync(CORPUS), `the peer corpus is expected at ${CORPUS}`).toBe(true);
  rows = readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
});

describe('peer corpus conformance', () => {
  it('reads the whole corpus', () => {
    expect(rows.length).toBeGreaterThanOrEqual(900);
  });

  it('never reads a row a peer calls dangerous, denied, a dangerous substitution or a blocked write', () => {
    const failures: string[] = [];
    for (const row of rows) {
      if (!NOT_READ.has(row.verdict) || recorded.has(key(row.cmd, row.verdict))) continue;
      const r = engine.classify(row.cmd, { workspace: ws });
      if (r.tier === 'read') failures.push(`${row.verdict}: ${JSON.stringify(row.cmd)}`);
    }
    expect(failures).toEqual([]);
  });

  it('reads the POSIX rows a peer calls safe or read-only, unless a difference is recorded', () => {
    const failures: string[] = [];
    for (const row of rows) {
      if (!READ.has(row.verdict) || recorded.has(key(row.cmd, row.verdict))) continue;
      const r = engine.classify(row.cmd, { workspace: ws });
      if (r.tier !== 'read') failures.push(`${row.verdict}: ${JSON.stringify(row.cmd)} → ${r.tier} (${r.reasons.filter((x) => x.tier !== 'read').map((x) => x.rule).join(', ')})`);
    }
    expect(failures).toEqual([]);
  });

  it('every recorded difference still differs and has a reason', () => {
    for (const d of differences.differences) {
      expect(d.why.length, d.cmd).toBeGreaterThan(20);
      expect(rows.some((r) => r.cmd === d.cmd && r.verdict === d.verdict), `stale entry ${d.cmd}`).toBe(true);
      const tier = engine.classify(d.cmd, { workspace: ws }).tier;
      if (READ.has(d.verdict)) expect(tier, d.cmd).not.toBe('read');
      else expect(tier, d.cmd).toBe('read');
    }
  });

  it('the disabled-terminal row is denied where NOME puts that decision: the tool matrix', () => {
    const file = { layer: 'workspace' as const, path: '/x/.nome/permissions.json', exists: true, error: null, json: { tools: [{ tool: 'shell', tier: '*', decision: 'deny' }] }, where: () => '/x/.nome/permissions.json:1', sha256: null };
    const matrix = buildToolMatrix([file]);
    const r = engine.classify('ls -la', { workspace: ws });
    expect(matrix.decide('shell', r.tier, { insideWorkspace: true }).decision).toBe('deny');
  });
});
