/**
 * Policy engine: classify 10,000 commands (the peer corpus, cycled) against raw web-tree-sitter
 * parsing of the same commands in the same run. Goals: total ≤ 1.5× the raw parse, p99 < 1 ms.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPolicyEngine } from '../src/main/policy';
import { loadBashParser } from '../src/main/policy/parser';
import { usesDirectCursor, usesDirectParse } from '../src/main/policy/tree';
import { fmtMs, percentile, type BenchRow } from './harness';

const N = 10_000;

export default async function bench(): Promise<BenchRow[]> {
  const corpus = readFileSync(path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'peer-commands.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { cmd: string }).cmd);
  const commands = Array.from({ length: N }, (_, i) => corpus[i % corpus.length]!);
  const parser = await loadBashParser();
  const engine = await createPolicyEngine();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'nome-bench-ws-'));

  const rawOnce = () => {
    for (const c of commands) parser.parse(c)!.delete();
  };
  const classifyOnce = (times?: number[]) => {
    for (const c of commands) {
      if (times) {
        const t = process.hrtime.bigint();
        engine.classify(c, { workspace });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      } else engine.classify(c, { workspace });
    }
  };
  // Warm up both, then alternate rounds and keep each side's best, so neither pays for JIT or GC.
  rawOnce();
  classifyOnce();
  let raw = Infinity;
  let nome = Infinity;
  for (let round = 0; round < 3; round++) {
    let t = process.hrtime.bigint();
    rawOnce();
    raw = Math.min(raw, Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    classifyOnce();
    nome = Math.min(nome, Number(process.hrtime.bigint() - t) / 1e6);
  }
  const times: number[] = [];
  classifyOnce(times);
  times.sort((a, b) => a - b);
  const rawTimes: number[] = [];
  for (const c of commands) {
    const t = process.hrtime.bigint();
    parser.parse(c)!.delete();
    rawTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  rawTimes.sort((a, b) => a - b);
  const p99 = percentile(times, 99);
  const rawP99 = percentile(rawTimes, 99);
  return [
    { figure: `classify ${N / 1000}k commands (total, corpus cycled)`, nome: fmtMs(nome), baseline: fmtMs(raw), ratio: nome / raw, goal: '≤ 1.5×', note: `baseline: raw web-tree-sitter parse of the same commands; tree copy: ${usesDirectCursor() ? 'direct cursor exports' : 'public TreeCursor API'}; engine parse: ${usesDirectParse() ? 'raw parse export (no Tree wrapper)' : 'Parser.parse'}` },
    { figure: 'classify p99 per command', nome: fmtMs(p99), baseline: fmtMs(rawP99), ratio: p99 / rawP99, goal: '< 1 ms', note: `p50 ${fmtMs(percentile(times, 50))}` },
  ];
}
