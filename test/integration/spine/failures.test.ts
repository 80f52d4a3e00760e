/**
 * The spine keeps its promises under failure (issue 11), against a real `nome serve`: an oversized
 * reason does not poison the approval queue, and a run that cannot launch still ends.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore, type Receipt } from '../../../src/main/audit';
import { APP_VERSION } from '../../../src/main/host/version';
import { makeSandbox, nome, startServer, type Sandbox, type Server } from '../../support/nome';

let box: Sandbox;
let server: Server;
beforeAll(async () => {
  box = makeSandbox();
  server = await startServer(box, ['--approval-timeout', '20']);
});
afterAll(async () => server?.stop());

function runReceipts(command: string): Receipt[] {
  const store = openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
  try {
    const all = store.list({ limit: 100_000 });
    const call = all.filter((r) => r.kind === 'tool.call' && (r.payload as { request: { command: string } }).request.command === command).at(-1);
    expect(call, `a tool.call receipt for ${command.slice(0, 40)}`).toBeDefined();
    return all.filter((r) => r.runId === call!.runId);
  } finally {
    store.close();
  }
}

async function pendingIds(): Promise<string[]> {
  const list = await nome(box, ['approvals', 'list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  return (JSON.parse(list.stdout) as { id: string }[]).map((a) => a.id);
}

describe('an oversized reason', () => {
  it('is cut to fit what the dialog shows, stays whole in the receipt, and the queue keeps working', async () => {
    const command = `"$A"${'b'.repeat(5000)}`;
    const asked = nome(box, ['exec', '--', command]);
    let ids: string[] = [];
    for (let i = 0; i < 200 && ids.length === 0; i++) {
      ids = await pendingIds();
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ids).toHaveLength(1);
    const shown = JSON.parse((await nome(box, ['approvals', 'list', '--json'])).stdout) as { details: { reasons: { text: string }[]; why: string[] } }[];
    const texts = [...shown[0]!.details.reasons.map((r) => r.text), ...shown[0]!.details.why];
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    expect(texts.some((t) => /… \[\d+ more characters\]$/.test(t))).toBe(true);
    expect((await nome(box, ['approvals', 'answer', ids[0]!, 'deny', '--reason', 'not today'])).code).toBe(0);
    const res = await asked;
    expect(res.code).toBe(126);
    expect(res.stderr).toContain('not today');
    const receipts = runReceipts(command);
    expect(receipts.map((r) => r.kind)).toEqual(['run.started', 'tool.call', 'approval.requested', 'approval.answered', 'run.ended']);
    const reasons = (receipts[1]!.payload as { decision: { reasons: string[] } }).decision.reasons;
    expect(reasons.some((r) => r.length > 5000)).toBe(true);
    // The next ordinary ask works as usual.
    const next = nome(box, ['exec', '--', 'rm -rf nothing-here']);
    let nextIds: string[] = [];
    for (let i = 0; i < 200 && nextIds.length === 0; i++) {
      nextIds = await pendingIds();
      if (nextIds.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    await nome(box, ['approvals', 'answer', nextIds[0]!, 'approve-once']);
    expect((await next).code).toBe(0);
  }, 60_000);
});

describe('a run that cannot launch', () => {
  it('ends, with run.ended and a reason in NOME\'s words', async () => {
    const res = await nome(box, ['exec', '--cwd', 'no-such-dir', '--', 'true']);
    expect(res.code).toBe(126);
    expect(res.stderr).toMatch(/NOME could not run this command: the working directory .*no-such-dir does not exist/);
    expect(res.stderr).not.toMatch(/ENOENT|lstat/);
    const receipts = runReceipts('true');
    expect(receipts.map((r) => r.kind)).toEqual(['run.started', 'tool.call', 'run.ended']);
    expect(receipts.at(-1)!.payload).toMatchObject({ outcome: 'error', reason: expect.stringContaining(path.join(box.workspace, 'no-such-dir')) });
  });

  it('a completed run says in command.exit that its digest covers all its output', async () => {
    await nome(box, ['exec', '--', 'echo covered']);
    expect(runReceipts('echo covered').find((r) => r.kind === 'command.exit')!.payload).toMatchObject({ outputComplete: true });
  });
});

describe('one policy snapshot per request', () => {
  it("a tool.call's policyVersion is the digest of exactly the layer bytes that decided it, across an edit", async () => {
    const store = () => openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
    const layerFile = path.join(box.workspace, '.nome', 'permissions.json');
    const versionOf = (command: string) => {
      const s = store();
      try {
        const all = s.list({ limit: 100_000 });
        const call = all.filter((r) => r.kind === 'tool.call' && (r.payload as { request: { command: string } }).request.command === command).at(-1)!;
        // The newest snapshot of each layer file before that call: what the supervisor had read.
        const latest = new Map<string, { layer: string; sha256: string | null; content?: unknown }>();
        for (const r of all) if (r.kind === 'policy.snapshot' && r.seq < call.seq) latest.set((r.payload as { path: string }).path, r.payload as never);
        const parts = [APP_VERSION, ...[...latest.values()].map((p) => `${p.layer}:${p.sha256 ?? '-'}`)];
        const decision = (call.payload as { decision: { verdict: string; rule: string | null; policyVersion: string } }).decision;
        return { decision, expected: createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16), snapshot: latest.get(layerFile) };
      } finally {
        s.close();
      }
    };
    expect((await nome(box, ['exec', '--', 'echo first-request'])).code).toBe(0);
    const first = versionOf('echo first-request');
    expect(first.decision.policyVersion).toBe(first.expected);
    mkdirSync(path.dirname(layerFile), { recursive: true });
    const text = JSON.stringify({ tools: [{ tool: 'shell', tier: 'read', decision: 'deny' }] });
    writeFileSync(layerFile, text);
    const denied = await nome(box, ['exec', '--', 'echo second-request']);
    expect(denied.code).toBe(126);
    const second = versionOf('echo second-request');
    expect(second.decision).toMatchObject({ verdict: 'deny', rule: 'workspace:shell/read' });
    expect(second.decision.policyVersion).toBe(second.expected);
    expect(second.decision.policyVersion).not.toBe(first.decision.policyVersion);
    expect(second.snapshot).toMatchObject({ layer: 'workspace', sha256: createHash('sha256').update(text).digest('hex'), content: JSON.parse(text) });
    rmSync(layerFile);
  });
});
