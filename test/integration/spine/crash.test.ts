/**
 * Crash safety: `nome serve` is SIGKILLed at random moments while 2,000 `nome exec` calls run
 * against it, and restarted each time. Afterwards the chain verifies, and every call that returned
 * to its client left its receipts (a receipt is committed before the client hears the result).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../../../src/main/audit';
import { makeSandbox, nome, startServer, type Server } from '../../support/nome';

const CALLS = 2000;
const CONCURRENCY = 4;

let server: Server | null = null;
afterAll(async () => server?.stop());

describe('crash safety', () => {
  it(`keeps a verifiable chain and every returned call's receipts across SIGKILLs during ${CALLS} calls`, async () => {
    const box = makeSandbox();
    server = await startServer(box);
    const returned: string[] = [];
    let next = 0;
    let kills = 0;
    let done = false;

    // Random kills (and restarts) until the calls are done.
    const killer = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 2500));
        if (done) break;
        await server!.stop('SIGKILL');
        kills++;
        server = await startServer(box);
      }
    })();

    const worker = async () => {
      while (next < CALLS) {
        const marker = `call-${next++}`;
        const res = await nome(box, ['exec', '--', `echo ${marker}`]);
        if (res.code === 0 && res.stdout.includes(marker)) returned.push(marker);
        else {
          expect([2, 1], `${marker}: ${res.stderr}`).toContain(res.code); // 2: gateway down; 1: connection cut mid-call
          await new Promise((r) => setTimeout(r, 100)); // the server is restarting
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    done = true;
    await killer;
    await server.stop();
    server = null;

    expect(kills).toBeGreaterThan(3);
    expect(returned.length).toBeGreaterThan(CALLS / 4);

    const verify = await nome(box, ['audit', 'verify', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });

    const store = openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
    const receipts = [];
    for (let after = 0; ; ) {
      const page = store.list({ afterSeq: after, limit: 10_000 });
      if (page.length === 0) break;
      receipts.push(...page);
      after = page.at(-1)!.seq;
    }
    store.close();
    const runOf = new Map<string, string>();
    for (const r of receipts) {
      if (r.kind === 'tool.call') runOf.set((r.payload as { request: { command: string } }).request.command, r.runId!);
    }
    const exited = new Set(receipts.filter((r) => r.kind === 'command.exit').map((r) => r.runId));
    const missing = returned.filter((marker) => {
      const runId = runOf.get(`echo ${marker}`);
      return runId === undefined || !exited.has(runId);
    });
    expect(missing).toEqual([]);
  }, 900_000);
});
