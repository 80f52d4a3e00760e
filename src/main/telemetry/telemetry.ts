/**
 * Product telemetry: opt-in (off by default), local, counts and latencies only.
 *
 * The API cannot carry free text: an event name is one of a closed set (checked at runtime, not
 * only by the type), the only other argument is a finite non-negative number, and the store's
 * rows are (event name, hour bucket, numbers). Command text, paths, output and user identity have
 * no way in. Disabled telemetry creates no store and records nothing.
 *
 * Store: `<dataDir>/telemetry/telemetry.sqlite`, separate from the audit store (and this module
 * never imports it, nor it this one: lint-enforced).
 *
 * Runtime: plain Node.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';

export const COUNT_EVENTS = [
  'app.started',
  'run.started',
  'run.completed',
  'run.failed',
  'run.denied',
  'run.timed_out',
  'run.cancelled',
  'run.confined',
  'run.unconfined',
  'run.output_truncated',
  'approval.requested',
  'approval.approved_once',
  'approval.approved_session',
  'approval.always',
  'approval.denied',
  'approval.timed_out',
  'gateway.client_connected',
  'gateway.auth_failed',
  'policy.reloaded',
  'policy.layer_error',
  'evidence.exported',
] as const;

export const LATENCY_EVENTS = [
  'app.startup',
  'gateway.request',
  'policy.classify',
  'approval.wait',
  'command.run',
  'receipt.append',
  'evidence.export',
] as const;

export type CountEvent = (typeof COUNT_EVENTS)[number];
export type LatencyEvent = (typeof LATENCY_EVENTS)[number];

/** Upper bounds (ms, inclusive) of the latency histogram's buckets; the last bucket is open. */
export const LATENCY_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000];

const HOUR_MS = 3_600_000;
const countName = z.enum(COUNT_EVENTS);
const latencyName = z.enum(LATENCY_EVENTS);
const countValue = z.number().int().min(1).max(1_000_000);
const latencyValue = z.number().finite().min(0).max(7 * 24 * HOUR_MS);

export interface LatencySummary {
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  /** Counts per bucket, aligned with LATENCY_BOUNDS_MS plus one open bucket at the end. */
  histogram: number[];
}

export interface TelemetrySnapshot {
  enabled: boolean;
  counts: Partial<Record<CountEvent, number>>;
  latencies: Partial<Record<LatencyEvent, LatencySummary>>;
  /** Start (unix ms) of the earliest and latest hour with data; null when empty. */
  firstHour: number | null;
  lastHour: number | null;
}

export interface Telemetry {
  readonly enabled: boolean;
  count(name: CountEvent, n?: number): void;
  latency(name: LatencyEvent, ms: number): void;
  snapshot(): TelemetrySnapshot;
  /** Opt in or out at runtime. Opting out stops recording; `clear()` also removes what was kept. */
  setEnabled(enabled: boolean): void;
  /** Delete the store and everything in it. */
  clear(): void;
  close(): void;
}

export interface TelemetryOptions {
  dataDir: string;
  /** Off unless the user opted in. */
  enabled?: boolean;
  /** Clock for tests. */
  now?: () => number;
}

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  // The message never echoes the rejected value: it may be exactly the text that must not leak.
  if (!parsed.success) throw new TypeError(`telemetry: invalid ${what}`);
  return parsed.data;
}

function bucketOf(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BOUNDS_MS.length : i;
}

export function telemetryPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'telemetry', 'telemetry.sqlite');
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const file = telemetryPath(options.dataDir);
  const now = options.now ?? Date.now;
  let enabled = options.enabled === true;
  let db: Database.Database | null = null;
  let stmts: ReturnType<typeof prepare> | null = null;

  function prepare(d: Database.Database) {
    return {
      count: d.prepare('INSERT INTO counts (name, hour, n) VALUES (?, ?, ?) ON CONFLICT (name, hour) DO UPDATE SET n = n + excluded.n'),
      latency: d.prepare(
        `INSERT INTO latencies (name, hour, n, sum_ms, min_ms, max_ms) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT (name, hour) DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms,
           min_ms = min(min_ms, excluded.min_ms), max_ms = max(max_ms, excluded.max_ms)`,
      ),
      hist: d.prepare('INSERT INTO latency_hist (name, hour, bucket, n) VALUES (?, ?, ?, 1) ON CONFLICT (name, hour, bucket) DO UPDATE SET n = n + 1'),
    };
  }

  function open(): ReturnType<typeof prepare> {
    if (stmts) return stmts;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const d = new Database(file);
    d.pragma('journal_mode = WAL');
    d.pragma('synchronous = NORMAL');
    d.pragma('busy_timeout = 5000');
    // Every column is an enum name, an integer or a real: there is nowhere to put text.
    d.exec(`
      CREATE TABLE IF NOT EXISTS counts (name TEXT NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (name, hour));
      CREATE TABLE IF NOT EXISTS latencies (name TEXT NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,
        sum_ms REAL NOT NULL, min_ms REAL NOT NULL, max_ms REAL NOT NULL, PRIMARY KEY (name, hour));
      CREATE TABLE IF NOT EXISTS latency_hist (name TEXT NOT NULL, hour INTEGER NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (name, hour, bucket));
    `);
    db = d;
    stmts = prepare(d);
    return stmts;
  }

  function shut(): void {
    db?.close();
    db = null;
    stmts = null;
  }

  const hour = () => Math.floor(now() / HOUR_MS);
  const recordLatency = (name: LatencyEvent, ms: number) => {
    const s = open();
    const h = hour();
    db!.transaction(() => {
      s.latency.run(name, h, ms, ms, ms);
      s.hist.run(name, h, bucketOf(ms));
    })();
  };

  return {
    get enabled() {
      return enabled;
    },
    count(name, n = 1) {
      const event = checked(countName, name, 'count event name');
      const value = checked(countValue, n, 'count');
      if (!enabled) return;
      open().count.run(event, hour(), value);
    },
    latency(name, ms) {
      const event = checked(latencyName, name, 'latency event name');
      const value = checked(latencyValue, ms, 'latency');
      if (!enabled) return;
      recordLatency(event, value);
    },
    snapshot() {
      const snap: TelemetrySnapshot = { enabled, counts: {}, latencies: {}, firstHour: null, lastHour: null };
      // Disabled: never create a store; show what an earlier opt-in kept, if anything.
      if (!enabled && !db && !existsSync(file)) return snap;
      open();
      const d = db!;
      try {
        for (const row of d.prepare('SELECT name, sum(n) AS n FROM counts GROUP BY name').all() as { name: CountEvent; n: number }[]) snap.counts[row.name] = row.n;
        const latencies = d.prepare('SELECT name, sum(n) AS n, sum(sum_ms) AS sum, min(min_ms) AS min, max(max_ms) AS max FROM latencies GROUP BY name').all() as {
          name: LatencyEvent;
          n: number;
          sum: number;
          min: number;
          max: number;
        }[];
        for (const row of latencies) {
          snap.latencies[row.name] = { count: row.n, sumMs: row.sum, minMs: row.min, maxMs: row.max, histogram: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0) };
        }
        for (const row of d.prepare('SELECT name, bucket, sum(n) AS n FROM latency_hist GROUP BY name, bucket').all() as { name: LatencyEvent; bucket: number; n: number }[]) {
          const summary = snap.latencies[row.name];
          if (summary && row.bucket >= 0 && row.bucket < summary.histogram.length) summary.histogram[row.bucket] = row.n;
        }
        const range = d.prepare('SELECT min(hour) AS lo, max(hour) AS hi FROM (SELECT hour FROM counts UNION ALL SELECT hour FROM latencies)').get() as {
          lo: number | null;
          hi: number | null;
        };
        snap.firstHour = range.lo === null ? null : range.lo * HOUR_MS;
        snap.lastHour = range.hi === null ? null : range.hi * HOUR_MS;
      } finally {
        if (!enabled) shut();
      }
      return snap;
    },
    setEnabled(on) {
      enabled = on === true;
      if (!enabled) shut();
    },
    clear() {
      shut();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
    close() {
      shut();
    },
  };
}
