/**
 * The supervisor's own failure paths (issue 11), in process with fakes where a real part cannot be
 * made to fail on demand: every run that starts ends, whatever throws, and the client hears why.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAuditStore, type AuditStore, type Receipt } from '../../../src/main/audit';
import { ApprovalQueue } from '../../../src/main/approvals';
import { createPolicyEngine, type PolicyEngine } from '../../../src/main/policy';
import { probeSandbox } from '../../../src/main/sandbox';
import { createSupervisor, type ShellRequest } from '../../../src/main/supervisor';

let policy: PolicyEngine;
let root: string;
let store: AuditStore;
let env: NodeJS.ProcessEnv;
let ws: string;

beforeAll(async () => {
  policy = await createPolicyEngine();
});
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nome-sup-'));
  ws = path.join(root, 'ws');
  mkdirSync(ws);
  mkdirSync(path.join(root, 'home'));
  env = { PATH: process.env.PATH, HOME: path.join(root, 'home'), NOME_HOME: path.join(root, 'data'), NOME_MANAGED_POLICY: path.join(root, 'managed.json') };
  store = openAuditStore({ dataDir: path.join(root, 'data'), tenant: 'local' });
});
afterEach(() => {
  vi.useRealTimers();
  store.close();
  rmSync(root, { recursive: true, force: true });
});

const request = (command: string, over: Partial<ShellRequest> = {}): ShellRequest => ({ tool: 'shell', command, workspace: ws, sessionId: 's', agent: 'test', client: 'test', ...over });
const kinds = (receipts: Receipt[]) => receipts.map((r) => r.kind);
const ofRun = (runId: string) => store.list({ limit: 10_000 }).filter((r) => r.runId === runId);

/** The real store, except that appending `failKind` throws (once). */
function failingStore(failKind: string): AuditStore {
  let failed = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'append') {
        return (input: Parameters<AuditStore['append']>[0]) => {
          if (input.kind === failKind && !failed) {
            failed = true;
            throw new Error('disk full (a fake)');
          }
          return target.append(input);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('every run that starts ends', () => {
  it('a receipt that cannot be written mid-run: the run still ends, and the client hears why', async () => {
    const supervisor = createSupervisor({ dataDir: path.join(root, 'data'), audit: failingStore('command.exit'), approvals: new ApprovalQueue(), policy, env });
    try {
      const outcome = await supervisor.handle(request('echo hi'), { output: () => {} });
      expect(outcome).toMatchObject({ verdict: 'deny', reason: expect.stringMatching(/^NOME could not run this command: disk full \(a fake\)/) });
      expect(kinds(ofRun(outcome.runId))).toEqual(['run.started', 'tool.call', 'run.ended']);
      expect(ofRun(outcome.runId).at(-1)!.payload).toMatchObject({ outcome: 'error' });
    } finally {
      supervisor.close();
    }
  });

  it('a working directory that does not exist: the run ends with the reason in NOME\'s words', async () => {
    const supervisor = createSupervisor({ dataDir: path.join(root, 'data'), audit: store, approvals: new ApprovalQueue(), policy, env });
    try {
      const outcome = await supervisor.handle(request('true', { cwd: 'gone' }), { output: () => {} });
      expect(outcome.reason).toBe(`NOME could not run this command: the working directory ${path.join(ws, 'gone')} does not exist`);
      expect(kinds(ofRun(outcome.runId))).toEqual(['run.started', 'tool.call', 'run.ended']);
    } finally {
      supervisor.close();
    }
  });

  it('an approvals listener that throws cannot break the request, the answer or the receipts', async () => {
    const approvals = new ApprovalQueue();
    const errors: unknown[] = [];
    approvals.onChange(() => {
      throw new Error('a renderer broadcast failed (a fake)');
    }, (e) => errors.push(e));
    const supervisor = createSupervisor({ dataDir: path.join(root, 'data'), audit: store, approvals, policy, env });
    try {
      const pending = supervisor.handle(request('rm -rf build'), { output: () => {} });
      await vi.waitFor(() => expect(approvals.pending()).toHaveLength(1));
      approvals.answer(approvals.pending()[0]!.id, 'deny', { who: 'tester', reason: 'no' });
      const outcome = await pending;
      expect(outcome).toMatchObject({ verdict: 'deny', reason: 'no' });
      expect(kinds(ofRun(outcome.runId))).toEqual(['run.started', 'tool.call', 'approval.requested', 'approval.answered', 'run.ended']);
      expect(errors.length).toBeGreaterThanOrEqual(2);
    } finally {
      supervisor.close();
    }
  });

  it('no answer before the timeout is a deny with reason timeout (fake clock: ten minutes pass at once)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const approvals = new ApprovalQueue();
    const supervisor = createSupervisor({ dataDir: path.join(root, 'data'), audit: store, approvals, policy, env });
    try {
      const pending = supervisor.handle(request('rm -rf build'), { output: () => {} });
      await vi.waitFor(() => expect(approvals.pending()).toHaveLength(1));
      await vi.advanceTimersByTimeAsync(10 * 60 * 1000);
      const outcome = await pending;
      expect(outcome).toMatchObject({ verdict: 'deny', reason: 'timeout', provenance: { by: 'timeout' } });
      const receipts = ofRun(outcome.runId);
      expect(kinds(receipts)).toEqual(['run.started', 'tool.call', 'approval.requested', 'approval.answered', 'run.ended']);
      expect(receipts.at(-1)!.payload).toMatchObject({ outcome: 'timeout' });
    } finally {
      supervisor.close();
    }
  });
});

describe('artifact receipts', () => {
  it('a huge written file is hashed by streaming up to the cap, and the receipt says how much the digest covers', async () => {
    const cap = 1024 * 1024;
    const supervisor = createSupervisor({ dataDir: path.join(root, 'data'), audit: store, approvals: new ApprovalQueue(), policy, env, artifactHashCap: cap });
    try {
      const big = await supervisor.handle(request('truncate -s 200M big.bin'), { output: () => {} });
      expect(big.exitCode).toBe(0);
      const artifact = ofRun(big.runId).find((r) => r.kind === 'artifact')!;
      expect(artifact.payload).toMatchObject({ path: path.join(ws, 'big.bin'), bytes: 200 * 1024 * 1024, hashedBytes: cap, sha256: createHash('sha256').update(Buffer.alloc(cap)).digest('hex') });
      const small = await supervisor.handle(request('echo hello > small.txt'), { output: () => {} });
      const whole = ofRun(small.runId).find((r) => r.kind === 'artifact')!;
      expect(whole.payload).toEqual({ path: path.join(ws, 'small.txt'), bytes: 6, sha256: createHash('sha256').update('hello\n').digest('hex') });
    } finally {
      supervisor.close();
    }
  });
});

describe('a sandbox setting that cannot be used', () => {
  it.runIf(probeSandbox().confined)('is ignored, and said in the tool.call receipt', async () => {
    mkdirSync(path.join(root, 'data'), { recursive: true });
    writeFileSync(path.join(root, 'data', 'permissions.json'), JSON.stringify({ sandbox: { expose: 'not-a-list' } }));
    const supervisor = createSupervisor({ dataDir: path.join(root, 'data'), audit: store, approvals: new ApprovalQueue(), policy, env });
    try {
      const outcome = await supervisor.handle(request('true'), { output: () => {} });
      expect(outcome.exitCode).toBe(0);
      const call = ofRun(outcome.runId).find((r) => r.kind === 'tool.call')!;
      expect((call.payload as { decision: { reasons: string[] } }).decision.reasons.join('\n')).toMatch(/policy: .*"sandbox" must be/);
    } finally {
      supervisor.close();
    }
  });
});
