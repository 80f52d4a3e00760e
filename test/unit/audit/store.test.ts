import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditDatabasePath,
  canonicalJson,
  openAuditStore,
  receiptHash,
  receiptHashFromText,
  verifyDatabase,
  type AuditStore,
  type Receipt,
} from '../../../src/main/audit';

const SHA = 'a'.repeat(64);
let dir: string;
let store: AuditStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nome-audit-'));
  store = openAuditStore({ dataDir: dir, tenant: 'local' });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function sampleRun(runId: string): void {
  store.append({ runId, kind: 'run.started', payload: { workspace: '/w', agent: 'claude-code' } });
  store.append({
    runId,
    kind: 'tool.call',
    payload: {
      tool: 'shell',
      request: { command: 'rm -rf build', cwd: '/w' },
      segments: [{ argv: ['rm', '-rf', 'build'] }],
      decision: { verdict: 'ask', rule: null, policyVersion: 'sha256:abc', reasons: [{ code: 'deletes', span: [0, 2] }] },
    },
  });
  store.append({ runId, kind: 'approval.requested', payload: { approvalId: 'ap1', timeoutMs: 600_000 } });
  store.append({ runId, kind: 'approval.answered', payload: { approvalId: 'ap1', answer: 'approve-once', provenance: { by: 'user', who: 'ada' } } });
  store.append({
    runId,
    kind: 'command.exit',
    payload: { exitCode: 0, signal: null, durationMs: 12.5, outputSha256: SHA, outputBytes: 10, confined: true, confinement: 'bwrap' },
  });
  store.append({ runId, kind: 'artifact', payload: { path: 'build/out.txt', sha256: SHA } });
  store.append({ runId, kind: 'run.ended', payload: { outcome: 'ok', exitCode: 0 } });
}

describe('audit store', () => {
  it('lives at <dataDir>/tenants/<tenant>/audit.sqlite in WAL mode', () => {
    expect(store.path).toBe(path.join(dir, 'tenants', 'local', 'audit.sqlite'));
    expect(auditDatabasePath(dir, 'org_01H')).toBe(path.join(dir, 'tenants', 'org_01H', 'audit.sqlite'));
    const db = new Database(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('chains receipts from the genesis hash and verifies', () => {
    expect(store.verify()).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
    sampleRun('run-1');
    const all = store.list();
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    for (const r of all) {
      const body = { seq: r.seq, ts: r.ts, run_id: r.runId, kind: r.kind, payload: r.payload, prev_hash: r.prevHash };
      expect(receiptHash(body)).toBe(r.hash);
    }
    expect(store.verify()).toEqual({ ok: true, count: 7, head: all[6]!.hash });
    expect(store.head()).toEqual({ seq: 7, hash: all[6]!.hash });
  });

  it('stores the payload as canonical JSON text', () => {
    store.append({ runId: 'r', kind: 'artifact', payload: { sha256: SHA, path: 'é/ü 𝄞.txt', bytes: 3 } });
    const db = new Database(store.path, { readonly: true });
    const row = db.prepare('SELECT payload FROM receipts').get() as { payload: string };
    db.close();
    expect(row.payload).toBe(`{"bytes":3,"path":"é/ü 𝄞.txt","sha256":"${SHA}"}`);
    expect(canonicalJson(JSON.parse(row.payload))).toBe(row.payload);
  });

  it('the fast hash over stored text equals the reference hash over the body', () => {
    const payloads = [{ a: 1, b: [1, 2, { z: null, y: 'q"\\\n\u2028' }] }, {}, { n: 1e21, m: -0.5, s: '\ud83d\ude00' }];
    for (const payload of payloads) {
      const text = canonicalJson(payload);
      const ref = receiptHash({ seq: 42, ts: '2025-01-01T00:00:00.000Z', run_id: null, kind: 'key.event', payload, prev_hash: SHA });
      expect(receiptHashFromText(42, '2025-01-01T00:00:00.000Z', null, 'key.event', text, SHA)).toBe(ref);
    }
  });

  it('lists by run, after a seq, with a limit', () => {
    sampleRun('run-1');
    sampleRun('run-2');
    expect(store.list({ runId: 'run-2' }).map((r) => r.seq)).toEqual([8, 9, 10, 11, 12, 13, 14]);
    expect(store.list({ afterSeq: 12 }).map((r) => r.seq)).toEqual([13, 14]);
    expect(store.list({ afterSeq: 2, limit: 2 }).map((r) => r.seq)).toEqual([3, 4]);
    expect(store.list({ runId: 'run-1', afterSeq: 5 }).map((r) => r.seq)).toEqual([6, 7]);
  });

  it('rejects unknown kinds, invalid payloads and non-JSON values', () => {
    const bad = (input: unknown) => () => store.append(input as never);
    expect(bad({ runId: 'r', kind: 'run.deleted', payload: {} })).toThrow(/unknown receipt kind/);
    expect(bad({ runId: 'r', kind: 'command.exit', payload: { exitCode: 0 } })).toThrow(/invalid command.exit/);
    expect(bad({ runId: 'r', kind: 'artifact', payload: { path: 'x', sha256: 'nothex' } })).toThrow(/invalid artifact/);
    expect(bad({ runId: 'r', kind: 'artifact', payload: { path: 'x', sha256: SHA, extra: NaN } })).toThrow();
    expect(bad({ runId: 'r', kind: 'artifact', payload: { path: 'x', sha256: SHA, extra: () => 1 } })).toThrow();
    expect(bad({ runId: '', kind: 'run.ended', payload: { outcome: 'ok' } })).toThrow(/runId/);
    expect(bad({ runId: 'r', kind: 'approval.answered', payload: { approvalId: 'a', answer: 'deny', provenance: { by: 'someone' } } })).toThrow();
    expect(store.list()).toEqual([]);
  });

  it('leaves out undefined fields, as JSON does, and keeps extra JSON fields', () => {
    const r = store.append({ runId: null, kind: 'policy.snapshot', payload: { layer: 'user', path: '/p.json', sha256: SHA, content: undefined, note: { a: [1] } } });
    expect(r.payload).toEqual({ layer: 'user', path: '/p.json', sha256: SHA, note: { a: [1] } });
    expect('content' in r.payload).toBe(false);
    expect(store.verify()).toMatchObject({ ok: true, count: 1 });
  });

  it('narrowing a receipt on kind types its payload', () => {
    sampleRun('run-1');
    const call = store.list().find((r) => r.kind === 'tool.call');
    if (call?.kind !== 'tool.call') throw new Error('no tool.call');
    expect(call.payload.decision.policyVersion).toBe('sha256:abc');
    expect((call.payload.request as { command: string }).command).toBe('rm -rf build');
  });

  it('accepts null runId for receipts outside a run', () => {
    const r = store.append({ runId: null, kind: 'policy.snapshot', payload: { layer: 'user', path: '/p.json', sha256: null } });
    expect(r.runId).toBeNull();
    store.append({ runId: null, kind: 'token.event', payload: { event: 'issued', tokenId: 'tok_1' } });
    store.append({ runId: null, kind: 'key.event', payload: { event: 'rotated', keyId: 'k1' } });
    expect(store.verify()).toMatchObject({ ok: true, count: 3 });
  });

  it('validates tenant names against path tricks', () => {
    for (const tenant of ['', '.', '..', '../x', 'a/b', 'a\\b', '/abs', '.hidden', 'x'.repeat(65), 'a b', 'a\0b']) {
      expect(() => openAuditStore({ dataDir: dir, tenant }), tenant).toThrow(/invalid tenant/);
    }
  });

  it('triggers reject UPDATE and DELETE', () => {
    sampleRun('run-1');
    const db = new Database(store.path);
    expect(() => db.prepare("UPDATE receipts SET payload = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM receipts WHERE seq = 7').run()).toThrow(/append-only/);
    db.close();
    expect(store.verify()).toMatchObject({ ok: true, count: 7 });
  });

  describe('verify finds the first break when the triggers are bypassed', () => {
    const tamper = (sql: string) => {
      const db = new Database(store.path);
      db.exec('DROP TRIGGER receipts_no_update; DROP TRIGGER receipts_no_delete;');
      db.exec(sql);
      db.close();
    };
    beforeEach(() => sampleRun('run-1'));

    it('an edited payload', () => {
      tamper(`UPDATE receipts SET payload = replace(payload, 'rm -rf build', 'ls') WHERE seq = 2`);
      expect(store.verify()).toMatchObject({ ok: false, brokenAt: 2, reason: expect.stringMatching(/hash mismatch/) });
      expect(verifyDatabase(store.path)).toMatchObject({ ok: false, brokenAt: 2 });
    });
    it('a recomputed hash breaks the next link', () => {
      const r = store.list()[2]!;
      const forged = receiptHashFromText(r.seq, r.ts, r.runId, r.kind, canonicalJson({ ...r.payload, timeoutMs: 1 }), r.prevHash);
      tamper(`UPDATE receipts SET payload = '${canonicalJson({ ...r.payload, timeoutMs: 1 })}', hash = '${forged}' WHERE seq = 3`);
      expect(store.verify()).toMatchObject({ ok: false, brokenAt: 4, reason: expect.stringMatching(/prev_hash/) });
    });
    it('a deleted receipt', () => {
      tamper('DELETE FROM receipts WHERE seq = 4');
      expect(store.verify()).toMatchObject({ ok: false, brokenAt: 5, reason: expect.stringMatching(/missing/) });
    });
    it('a non-canonical payload with the right hash input', () => {
      tamper(`UPDATE receipts SET payload = ' ' || payload WHERE seq = 6`);
      expect(store.verify()).toMatchObject({ ok: false, brokenAt: 6, reason: expect.stringMatching(/canonical/) });
    });
    it('a changed kind or timestamp', () => {
      tamper(`UPDATE receipts SET ts = '2000-01-01T00:00:00.000Z' WHERE seq = 1`);
      expect(store.verify()).toMatchObject({ ok: false, brokenAt: 1 });
    });
  });

  it('subscribers see each committed receipt; a throwing subscriber does not break append', () => {
    const seen: Receipt[] = [];
    store.subscribe(() => {
      throw new Error('boom');
    });
    const off = store.subscribe((r) => seen.push(r));
    sampleRun('run-1');
    off();
    store.append({ runId: 'x', kind: 'run.ended', payload: { outcome: 'ok' } });
    expect(seen.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen).toEqual(store.list({ limit: 7 }));
  });

  it('a throwing subscriber is reported, and the receipt is committed all the same', () => {
    store.close();
    const reported: unknown[] = [];
    store = openAuditStore({ dataDir: dir, tenant: 'local', onListenerError: (e) => reported.push(e) });
    store.subscribe(() => {
      throw new Error('a renderer went away (a fake)');
    });
    const before = store.head().seq;
    store.append({ runId: 'x', kind: 'run.ended', payload: { outcome: 'ok' } });
    expect(store.head().seq).toBe(before + 1);
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toBe('a renderer went away (a fake)');
  });

  it('reopening continues the chain; verifyDatabase works offline and refuses non-audit files', () => {
    sampleRun('run-1');
    store.close();
    store = openAuditStore({ dataDir: dir, tenant: 'local' });
    sampleRun('run-2');
    expect(store.verify()).toMatchObject({ ok: true, count: 14 });
    expect(verifyDatabase(store.path)).toEqual(store.verify());
    expect(() => verifyDatabase(path.join(dir, 'nope.sqlite'))).toThrow();
    const other = path.join(dir, 'other.sqlite');
    new Database(other).close();
    expect(() => verifyDatabase(other)).toThrow(/not a NOME audit database/);
  });

  it('refuses use after close', () => {
    store.close();
    expect(() => store.list()).toThrow(/closed/);
  });
});
