/**
 * Crash safety and multi-process appends on a real SQLite file: SIGKILL a process at random
 * moments during thousands of appends, then verify the chain and check every receipt whose
 * append had returned is present with the hash it was returned with.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuditStore, verifyDatabase, auditDatabasePath } from '../../../src/main/audit';

const fixture = path.join(__dirname, 'fixtures', 'appender.ts');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nome-audit-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  acked: Map<number, string>;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Run the appender; when `killAfter` acknowledged appends have been seen, SIGKILL it. */
function runAppender(count: number, tag: string, killAfter?: number, startAt?: number): Child {
  const args = [fixture, dir, String(count), tag, ...(startAt === undefined ? [] : [String(startAt)])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const acked = new Map<number, string>();
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const [seq, hash] = buffer.slice(0, nl).split(' ');
      buffer = buffer.slice(nl + 1);
      acked.set(Number(seq), hash!);
      if (killAfter !== undefined && acked.size === killAfter) child.kill('SIGKILL');
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { acked, done, stderr: () => stderr };
}

function expectAllPresent(acked: Map<number, string>): void {
  const store = openAuditStore({ dataDir: dir, tenant: 'local' });
  try {
    const bySeq = new Map<number, string>();
    let after = 0;
    for (;;) {
      const page = store.list({ afterSeq: after, limit: 5000 });
      if (page.length === 0) break;
      for (const r of page) bySeq.set(r.seq, r.hash);
      after = page[page.length - 1]!.seq;
    }
    for (const [seq, hash] of acked) expect(bySeq.get(seq), `receipt ${seq}`).toBe(hash);
  } finally {
    store.close();
  }
}

describe('audit store crash safety', () => {
  it('SIGKILL at random moments during appends never breaks the chain or loses a returned receipt', async () => {
    const acked = new Map<number, string>();
    let killed = 0;
    for (let round = 0; round < 8; round++) {
      const killAfter = 50 + Math.floor(Math.random() * 600);
      const child = runAppender(5000, `crash${round}`, killAfter);
      const exit = await child.done;
      if (exit.signal === 'SIGKILL') killed++;
      for (const [seq, hash] of child.acked) acked.set(seq, hash);
      const result = verifyDatabase(auditDatabasePath(dir, 'local'));
      expect(result, `after round ${round}`).toMatchObject({ ok: true });
      expectAllPresent(child.acked);
    }
    expect(killed).toBe(8);
    expectAllPresent(acked);
    // The store opens and appends normally after the crashes.
    const store = openAuditStore({ dataDir: dir, tenant: 'local' });
    store.append({ runId: null, kind: 'key.event', payload: { event: 'used', keyId: 'k' } });
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  }, 120_000);

  it('two processes appending to one database keep one linear chain', async () => {
    const a = runAppender(400, 'a');
    const b = runAppender(400, 'b');
    const [ea, eb] = await Promise.all([a.done, b.done]);
    expect(ea.code, a.stderr()).toBe(0);
    expect(eb.code, b.stderr()).toBe(0);
    expect(a.acked.size + b.acked.size).toBe(800);
    const seqs = new Set([...a.acked.keys(), ...b.acked.keys()]);
    expect(seqs.size).toBe(800);
    const result = verifyDatabase(auditDatabasePath(dir, 'local'));
    expect(result).toMatchObject({ ok: true, count: 800 });
    expectAllPresent(new Map([...a.acked, ...b.acked]));
  }, 120_000);

  it('several processes creating the same new database at the same moment all succeed', async () => {
    for (let round = 0; round < 3; round++) {
      rmSync(path.join(dir, 'tenants'), { recursive: true, force: true });
      const startAt = Date.now() + 1500;
      const children = ['p', 'q', 'r', 's'].map((tag) => runAppender(50, `${tag}${round}`, undefined, startAt));
      const exits = await Promise.all(children.map((c) => c.done));
      exits.forEach((exit, i) => expect(exit.code, children[i]!.stderr()).toBe(0));
      expect(verifyDatabase(auditDatabasePath(dir, 'local'))).toMatchObject({ ok: true, count: 200 });
    }
  }, 120_000);
});
