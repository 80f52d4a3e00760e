/**
 * The tenant's append-only, hash-chained receipt store (DESIGN.md, "Audit store").
 *
 * One SQLite database per tenant at `<dataDir>/tenants/<tenant>/audit.sqlite`, in WAL mode with
 * `synchronous=FULL`: `append` returns only after the receipt's transaction is committed and
 * fsynced, so a caller that has been told a result can rely on its receipt surviving a crash.
 *
 * Each append runs in one `BEGIN IMMEDIATE` transaction that reads the chain head, computes the
 * new hash, and inserts the row. The write lock is taken before the head is read, so several
 * processes appending to one database serialize and the chain stays linear; a process killed
 * mid-transaction leaves nothing (SQLite rolls the uncommitted WAL frames back on next open).
 * Triggers reject UPDATE and DELETE; the chain makes any change that bypasses them (editing the
 * file, dropping the triggers) detectable by `verify`.
 *
 * Runtime: plain Node.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson, GENESIS_HASH, receiptHashFromText } from './chain';
import { parsePayload, RECEIPT_KINDS, type Payload, type PayloadInput, type ReceiptKind } from '../../shared/receipts';

export interface ReceiptOf<K extends ReceiptKind> {
  seq: number;
  /** ISO 8601 UTC timestamp of the append. */
  ts: string;
  runId: string | null;
  kind: K;
  payload: Payload<K>;
  prevHash: string;
  hash: string;
}

/** A stored receipt; narrowing on `kind` types its payload. */
export type Receipt = { [K in ReceiptKind]: ReceiptOf<K> }[ReceiptKind];

export type AppendInput = { [K in ReceiptKind]: { runId: string | null; kind: K; payload: PayloadInput<K> } }[ReceiptKind];

export interface ListOptions {
  /** Only receipts with seq greater than this (for paging and tailing). */
  afterSeq?: number;
  /** At most this many receipts (default 1000, at most 10,000). */
  limit?: number;
  runId?: string;
}

export type VerifyResult = { ok: true; count: number; head: string } | { ok: false; brokenAt: number; reason: string };

export type ReceiptListener = (receipt: Receipt) => void;

export interface AuditStore {
  readonly path: string;
  readonly tenant: string;
  /** Validate, chain and durably commit one receipt; returns it as stored. */
  append(input: AppendInput): Receipt;
  list(options?: ListOptions): Receipt[];
  /** The last receipt's seq and hash (seq 0 and the genesis hash when empty). */
  head(): { seq: number; hash: string };
  verify(): VerifyResult;
  /** In-process live tail: called after each commit by this store. Returns an unsubscribe. */
  subscribe(listener: ReceiptListener): () => void;
  close(): void;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const RUN_ID_MAX = 256;
const SCHEMA_VERSION = 1;
const KIND_SET = new Set<string>(RECEIPT_KINDS);

/** Tenant ids become a directory name: letters, digits, `_` and `-` only, so no path tricks. */
export function assertTenant(tenant: string): void {
  if (typeof tenant !== 'string' || !TENANT.test(tenant)) {
    throw new TypeError(`invalid tenant id ${JSON.stringify(tenant)}: use 1–64 letters, digits, "_" or "-", starting with a letter or digit`);
  }
}

export function auditDatabasePath(dataDir: string, tenant: string): string {
  assertTenant(tenant);
  return path.join(path.resolve(dataDir), 'tenants', tenant, 'audit.sqlite');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (
  seq       INTEGER PRIMARY KEY,
  ts        TEXT    NOT NULL,
  run_id    TEXT,
  kind      TEXT    NOT NULL,
  payload   TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_run ON receipts (run_id, seq);
CREATE TRIGGER IF NOT EXISTS receipts_no_update BEFORE UPDATE ON receipts
  BEGIN SELECT RAISE(ABORT, 'audit receipts are append-only: UPDATE rejected'); END;
CREATE TRIGGER IF NOT EXISTS receipts_no_delete BEFORE DELETE ON receipts
  BEGIN SELECT RAISE(ABORT, 'audit receipts are append-only: DELETE rejected'); END;
`;

interface Row {
  seq: number;
  ts: string;
  run_id: string | null;
  kind: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

function toReceipt(row: Row): Receipt {
  return {
    seq: row.seq,
    ts: row.ts,
    runId: row.run_id,
    kind: row.kind as ReceiptKind,
    payload: JSON.parse(row.payload) as Payload<ReceiptKind>,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as Receipt;
}

const BUSY_RETRY_MS = 10_000;
const sleepArray = new Int32Array(new SharedArrayBuffer(4));

/**
 * Run `fn`, retrying while SQLite reports the database busy or locked. The busy timeout covers
 * most waits, but SQLite returns SQLITE_BUSY at once, without waiting, where waiting could
 * deadlock (e.g. two processes converting a brand-new database to WAL). A busy error means the
 * statement or transaction did not happen, so trying again is safe.
 */
function retryBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      return fn();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy = typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
      if (!busy || Date.now() + delay > deadline) throw error;
      Atomics.wait(sleepArray, 0, 0, delay);
    }
  }
}

export function openAuditStore(options: {
  dataDir: string;
  tenant: string;
  /** A subscriber threw: reported here (the receipt is committed whatever a subscriber does). */
  onListenerError?: (error: unknown) => void;
}): AuditStore {
  const file = auditDatabasePath(options.dataDir, options.tenant);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  try {
    chmodSync(file, 0o600);
    db.pragma('busy_timeout = 10000');
    const mode = retryBusy(() => db.pragma('journal_mode = WAL', { simple: true }));
    if (String(mode).toLowerCase() !== 'wal') throw new Error(`audit store ${file}: cannot enable WAL (journal_mode=${String(mode)})`);
    db.pragma('synchronous = FULL');
    const migrate = db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw new Error(`audit store ${file}: schema version ${version} is newer than this build understands (${SCHEMA_VERSION})`);
      db.exec(SCHEMA);
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
    retryBusy(() => migrate.immediate());
  } catch (error) {
    db.close();
    throw error;
  }

  const headStmt = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM receipts ORDER BY seq DESC LIMIT 1');
  const insertStmt = db.prepare('INSERT INTO receipts (seq, ts, run_id, kind, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const listAll = db.prepare<[number, number], Row>('SELECT * FROM receipts WHERE seq > ? ORDER BY seq LIMIT ?');
  const listRun = db.prepare<[string, number, number], Row>('SELECT * FROM receipts WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  const listeners = new Set<ReceiptListener>();
  let closed = false;

  const appendTx = db.transaction((ts: string, runId: string | null, kind: string, payloadText: string): Row => {
    const head = headStmt.get();
    const seq = head ? head.seq + 1 : 1;
    const prevHash = head ? head.hash : GENESIS_HASH;
    const hash = receiptHashFromText(seq, ts, runId, kind, payloadText, prevHash);
    insertStmt.run(seq, ts, runId, kind, payloadText, prevHash, hash);
    return { seq, ts, run_id: runId, kind, payload: payloadText, prev_hash: prevHash, hash };
  });

  const ensureOpen = () => {
    if (closed) throw new Error('audit store is closed');
  };

  return {
    path: file,
    tenant: options.tenant,
    append(input) {
      ensureOpen();
      const { runId, kind } = input;
      if (!KIND_SET.has(kind)) throw new TypeError(`unknown receipt kind ${JSON.stringify(kind)}`);
      if (runId !== null && (typeof runId !== 'string' || runId.length === 0 || runId.length > RUN_ID_MAX)) {
        throw new TypeError(`runId must be null or a string of 1–${RUN_ID_MAX} characters`);
      }
      const payloadText = canonicalJson(parsePayload(kind, input.payload));
      const row = retryBusy(() => appendTx.immediate(new Date().toISOString(), runId, kind, payloadText));
      const receipt = toReceipt(row);
      for (const listener of listeners) {
        try {
          listener(receipt);
        } catch (error) {
          // A subscriber's failure must never undo or hide a committed receipt; it is reported.
          try {
            options.onListenerError?.(error);
          } catch {
            // the reporter itself failed: nothing more to do
          }
        }
      }
      return receipt;
    },
    list({ afterSeq = 0, limit = 1000, runId } = {}) {
      ensureOpen();
      const n = Math.max(0, Math.min(10_000, Math.floor(limit)));
      const rows = runId === undefined ? listAll.all(afterSeq, n) : listRun.all(runId, afterSeq, n);
      return rows.map(toReceipt);
    },
    head() {
      ensureOpen();
      const head = headStmt.get();
      return head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
    },
    verify() {
      ensureOpen();
      return verifyConnection(db);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      db.close();
    },
  };
}

/** Walk the whole chain in one read snapshot; report the first receipt that does not hold. */
function verifyConnection(db: Database.Database): VerifyResult {
  const rows = db.prepare<[], Row>('SELECT seq, ts, run_id, kind, payload, prev_hash, hash FROM receipts ORDER BY seq').iterate();
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  for (const row of rows) {
    // Returning from inside for…of closes the statement's iterator.
    const broken = (reason: string): VerifyResult => ({ ok: false, brokenAt: row.seq, reason });
    if (row.seq !== expectedSeq) return broken(`expected seq ${expectedSeq}, found ${row.seq} (receipts missing)`);
    if (row.prev_hash !== prev) return broken(`prev_hash ${row.prev_hash} does not match the hash of receipt ${expectedSeq - 1} (${prev})`);
    if (!KIND_SET.has(row.kind)) return broken(`unknown kind ${JSON.stringify(row.kind)}`);
    if (typeof row.ts !== 'string' || (row.run_id !== null && typeof row.run_id !== 'string')) return broken('ts or run_id has the wrong type');
    let canonical: string;
    try {
      canonical = canonicalJson(JSON.parse(row.payload));
    } catch {
      return broken('payload is not valid JSON');
    }
    if (canonical !== row.payload) return broken('payload is not in canonical form');
    const hash = receiptHashFromText(row.seq, row.ts, row.run_id, row.kind, row.payload, row.prev_hash);
    if (hash !== row.hash) return broken(`hash mismatch: stored ${row.hash}, computed ${hash}`);
    prev = row.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, count, head: prev };
}

/**
 * Verify an audit database file offline (for `nome audit verify`), read-only. Throws when the
 * file cannot be opened or holds no receipts table.
 */
export function verifyDatabase(file: string): VerifyResult {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'receipts'").get();
    if (!table) throw new Error(`${file} is not a NOME audit database (no receipts table)`);
    return verifyConnection(db);
  } finally {
    db.close();
  }
}
