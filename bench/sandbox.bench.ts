/**
 * pty throughput delivered to the consumer: NOME's runner (confined by bubblewrap when it works,
 * hashing every byte, batching, flow control with an acknowledging consumer) vs raw node-pty
 * running the same command in the same run. Also the per-command latency of `true`, and how often
 * each side delivers the complete output of `seq 1 200000` (raw node-pty drops the tail).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as pty from 'node-pty';
import { runCommand } from '../src/main/sandbox';
import { fmtMs, percentile, type BenchRow } from './harness';

const FLOODS = [
  'seq 1 6000000', // ~47 MB of short lines (\n becomes \r\n in the pty)
  'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 200000000', // 200 MB of lines, a fast producer
];

async function raw(command: string): Promise<{ ms: number; bytes: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const term = pty.spawn('/bin/bash', ['--noprofile', '--norc', '-c', command], { cols: 120, rows: 30, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' } });
    let bytes = 0;
    term.onData((chunk) => {
      bytes += Buffer.byteLength(chunk);
    });
    term.onExit(() => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes }));
  });
}

async function nome(command: string, workspace: string): Promise<{ ms: number; bytes: number; confined: boolean; complete: boolean }> {
  const start = process.hrtime.bigint();
  const handle = runCommand({ command, cwd: workspace, workspace, env: process.env, timeoutMs: 120_000, outputCapBytes: 1 << 30, network: false, hidePaths: [] });
  let bytes = 0;
  handle.onData((chunk) => {
    const n = Buffer.byteLength(chunk);
    bytes += n;
    handle.ack(n);
  });
  const result = await handle.result;
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, bytes, confined: result.confined, complete: result.outputComplete };
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const mbps = (bytes: number, ms: number) => `${((bytes / ms) * 1000 / 1e6).toFixed(1)} MB/s`;

export default async function bench(): Promise<BenchRow[]> {
  const workspace = mkdtempSync(path.join('/var/tmp', 'nome-bench-sandbox-'));
  try {
    await raw('seq 1 1000');
    await nome('seq 1 1000', workspace);
    let confined = false;
    const rows: BenchRow[] = [];
    for (const flood of FLOODS) {
      const rawRates: number[] = [];
      const nomeRates: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await raw(flood);
        rawRates.push(r.bytes / r.ms);
        const n = await nome(flood, workspace);
        nomeRates.push(n.bytes / n.ms);
        confined = n.confined;
      }
      const rawRate = median(rawRates);
      const nomeRate = median(nomeRates);
      rows.push({
        figure: `pty throughput to consumer, \`${flood}\` (median of 5)`,
        nome: mbps(nomeRate, 1),
        baseline: mbps(rawRate, 1),
        ratio: nomeRate / rawRate,
        goal: '≥ 0.8×',
        note: `${confined ? 'confined (bwrap)' : 'UNCONFINED'}, sha256 of every byte, 5 ms batches, acking consumer`,
      });
    }

    const rawLat: number[] = [];
    const nomeLat: number[] = [];
    for (let i = 0; i < 30; i++) {
      rawLat.push((await raw('true')).ms);
      nomeLat.push((await nome('true', workspace)).ms);
    }

    const expected = 1_288_895 + 200_000;
    let rawComplete = 0;
    let nomeComplete = 0;
    const runs = 20;
    for (let i = 0; i < runs; i++) {
      if ((await raw('seq 1 200000')).bytes === expected) rawComplete++;
      const n = await nome('seq 1 200000', workspace);
      if (n.bytes === expected && n.complete) nomeComplete++;
    }

    return [
      ...rows,
      {
        figure: 'one command `true` end to end (median of 30)',
        nome: fmtMs(median(nomeLat)),
        baseline: fmtMs(median(rawLat)),
        ratio: median(nomeLat) / median(rawLat),
        note: `raw = node-pty bash -c true; NOME adds the launcher${confined ? ' and bwrap' : ''}`,
      },
      {
        figure: `complete output of \`seq 1 200000\`, ${runs} runs`,
        nome: `${nomeComplete}/${runs}`,
        baseline: `${rawComplete}/${runs}`,
        ratio: nomeComplete / Math.max(1, rawComplete),
        note: 'raw node-pty drops the tail when the child exits during a burst',
      },
    ];
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
