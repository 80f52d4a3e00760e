/**
 * Receipt append throughput vs raw better-sqlite3 inserts of the same rows, in the same run.
 *
 * Like with like: both databases in WAL mode with synchronous=FULL, same table shape, one
 * transaction per row (the store's contract: each receipt durable before append returns). The raw
 * side inserts precomputed rows (ts, payload text, hashes taken from the store's own receipts), so
 * the ratio is the cost of validation, canonical JSON, hashing and the in-transaction head read.
 * A batched figure (all rows in one transaction) is reported too, for the raw side's ceiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson, openAuditStore } from '../src/main/audit';
import type { BenchRow } from './harness';

const N = 5000;

function payload(i: number) {
  return {
    exitCode: i % 3,
    signal: null,
    durationMs: 10 + (i % 100),
    outputSha256: 'c'.repeat(64),
    outputBytes: 1234 + i,
    confined: true,
    confinement: 'bwrap',
  };
}

function rawDb(file: string): { db: Database.Database; insert: Database.Statement } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE receipts (seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, run_id TEXT, kind TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)',
  );
  db.exec('CREATE INDEX receipts_run ON receipts (run_id, seq)');
  return { db, insert: db.prepare('INSERT INTO receipts (seq, ts, run_id, kind, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)') };
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nome-bench-audit-'));
  try {
    // NOME: the real store.
    const store = openAuditStore({ dataDir: dir, tenant: 'bench' });
    for (let i = 0; i < 200; i++) store.append({ runId: 'warm', kind: 'command.exit', payload: payload(i) }); // warm-up
    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) store.append({ runId: `run-${i >> 3}`, kind: 'command.exit', payload: payload(i) });
    const nomeMs = Number(process.hrtime.bigint() - t) / 1e6;
    const rows = store.list({ afterSeq: 200, limit: N });
    store.close();

    // Raw: the same rows, one autocommit transaction each.
    const raw = rawDb(path.join(dir, 'raw.sqlite'));
    for (let i = 0; i < 200; i++) raw.insert.run(1_000_000 + i, 'x', 'warm', 'command.exit', '{}', 'p', 'h');
    t = process.hrtime.bigint();
    for (const r of rows) raw.insert.run(r.seq, r.ts, r.runId, r.kind, canonicalJson(r.payload), r.prevHash, r.hash);
    const rawMs = Number(process.hrtime.bigint() - t) / 1e6;
    raw.db.close();

    // Raw, batched: all rows in one transaction.
    const batched = rawDb(path.join(dir, 'raw-batched.sqlite'));
    t = process.hrtime.bigint();
    batched.db.transaction(() => {
      for (const r of rows) batched.insert.run(r.seq, r.ts, r.runId, r.kind, canonicalJson(r.payload), r.prevHash, r.hash);
    })();
    const batchedMs = Number(process.hrtime.bigint() - t) / 1e6;
    batched.db.close();

    const perSec = (ms: number) => `${Math.round((N / ms) * 1000).toLocaleString('en-US')}/s`;
    return [
      {
        figure: `receipt appends, ${N} rows, 1 tx/row, WAL+FULL (throughput)`,
        nome: perSec(nomeMs),
        baseline: perSec(rawMs),
        ratio: rawMs / nomeMs,
        goal: '≥ 0.5×',
        note: 'raw = same rows via better-sqlite3 autocommit inserts',
      },
      {
        figure: `receipt appends vs raw batched inserts (1 tx for all ${N})`,
        nome: perSec(nomeMs),
        baseline: perSec(batchedMs),
        ratio: batchedMs / nomeMs,
        note: 'not like for like: one fsync for all rows; for scale only',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
