/**
 * The spine end to end on real parts: `nome serve` (gateway, supervisor, SQLite audit store,
 * node-pty, bubblewrap) driven by `nome exec`, `nome approvals` and `nome audit`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore, type Receipt } from '../../../src/main/audit';
import { probeSandbox } from '../../../src/main/sandbox';
import { makeSandbox, nome, startServer, type Sandbox, type Server } from '../../support/nome';

let box: Sandbox;
let server: Server;

beforeAll(async () => {
  box = makeSandbox();
  writeFileSync(path.join(box.workspace, '.env'), 'SECRET=1\n');
  mkdirSync(path.join(box.workspace, 'build'));
  server = await startServer(box, ['--approval-timeout', '3']);
});
afterAll(async () => server?.stop());

function receiptsOf(runKinds: (r: Receipt) => boolean = () => true): Receipt[] {
  const store = openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
  try {
    return store.list({ limit: 10_000 }).filter(runKinds);
  } finally {
    store.close();
  }
}

/** The receipts of the newest run whose tool call was `command`. */
function runReceipts(command: string): Receipt[] {
  const all = receiptsOf();
  const call = all.filter((r) => r.kind === 'tool.call' && (r.payload as { request: { command: string } }).request.command === command).at(-1);
  expect(call, `a tool.call receipt for ${command}`).toBeDefined();
  return all.filter((r) => r.runId === call!.runId);
}

async function answerWhenAsked(answer: string, reason?: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const list = await nome(box, ['approvals', 'list', '--json']);
    const pending = JSON.parse(list.stdout || '[]') as { id: string }[];
    if (pending[0]) {
      const res = await nome(box, ['approvals', 'answer', pending[0].id, answer, ...(reason ? ['--reason', reason] : [])]);
      expect(res.code, res.stderr).toBe(0);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no approval was asked');
}

describe('nome exec through the supervisor', () => {
  it('runs an allowed command and exits with its code, leaving the receipts', async () => {
    const res = await nome(box, ['exec', '--', 'echo hello; exit 3']);
    expect(res.stdout).toContain('hello');
    expect(res.code).toBe(3);
    const kinds = runReceipts('echo hello; exit 3').map((r) => r.kind);
    expect(kinds).toEqual(['run.started', 'tool.call', 'command.exit', 'run.ended']);
  });

  it('asks for a dangerous command, and runs it once approved', async () => {
    const [res] = await Promise.all([nome(box, ['exec', '--', 'rm -rf build']), answerWhenAsked('approve-once')]);
    expect(res.code, res.stderr).toBe(0);
    expect(existsSync(path.join(box.workspace, 'build'))).toBe(false);
    const receipts = runReceipts('rm -rf build');
    expect(receipts.map((r) => r.kind)).toEqual(['run.started', 'tool.call', 'approval.requested', 'approval.answered', 'command.exit', 'run.ended']);
    expect(receipts[3]!.payload).toMatchObject({ answer: 'approve-once', provenance: { by: 'user' } });
  });

  it('asks, and a deny with a reason goes back to the agent with exit 126', async () => {
    const [res] = await Promise.all([nome(box, ['exec', '--', 'rm -rf src']), answerWhenAsked('deny', 'not today')]);
    expect(res.code).toBe(126);
    expect(res.stderr).toContain('not today');
    const receipts = runReceipts('rm -rf src');
    expect(receipts.map((r) => r.kind)).toEqual(['run.started', 'tool.call', 'approval.requested', 'approval.answered', 'run.ended']);
    expect(receipts[4]!.payload).toMatchObject({ outcome: 'denied' });
  });

  it('denies with reason timeout when no one answers', async () => {
    const res = await nome(box, ['exec', '--', 'rm -rf node_modules']);
    expect(res.code).toBe(126);
    expect(res.stderr).toContain('timeout');
    const receipts = runReceipts('rm -rf node_modules');
    expect(receipts.find((r) => r.kind === 'approval.answered')!.payload).toMatchObject({ answer: 'deny', provenance: { by: 'timeout' } });
    expect(receipts.at(-1)!.payload).toMatchObject({ outcome: 'timeout' });
  });

  it('denies a read of a noAccess file without asking, naming the file', async () => {
    const res = await nome(box, ['exec', '--', 'cat .en""v']);
    expect(res.code).toBe(126);
    expect(res.stderr).toMatch(/\.env/);
    expect(res.stderr).toMatch(/noAccess/);
    const receipts = runReceipts('cat .en""v');
    expect(receipts.map((r) => r.kind)).toEqual(['run.started', 'tool.call', 'run.ended']);
    expect(receipts[1]!.payload).toMatchObject({ decision: { verdict: 'deny' } });
  });

  it('"always" is refused for an interpreter with inline code', async () => {
    const exec = nome(box, ['exec', '--', 'rm -rf build2 && python3 -c "print(1)"']);
    let id: string | undefined;
    for (let i = 0; i < 200 && !id; i++) {
      id = (JSON.parse((await nome(box, ['approvals', 'list', '--json'])).stdout || '[]') as { id: string }[])[0]?.id;
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    const refused = await nome(box, ['approvals', 'answer', id!, 'always']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not offered/);
    await nome(box, ['approvals', 'answer', id!, 'deny']);
    expect((await exec).code).toBe(126);
  });

  it('"always" approves exactly that command from then on, as a rule in the user layer', async () => {
    mkdirSync(path.join(box.workspace, 'dist'), { recursive: true });
    const [first] = await Promise.all([nome(box, ['exec', '--', 'rm -rf dist']), answerWhenAsked('always')]);
    expect(first.code, first.stderr).toBe(0);
    mkdirSync(path.join(box.workspace, 'dist'), { recursive: true });
    const second = await nome(box, ['exec', '--', 'rm -rf dist']); // no one answers: it must not ask
    expect(second.code, second.stderr).toBe(0);
    const answered = runReceipts('rm -rf dist').find((r) => r.kind === 'approval.answered')!;
    expect(answered.payload).toMatchObject({ answer: 'always', provenance: { by: 'rule', rule: expect.stringMatching(/^user:.*permissions\.json:\d+$/) } });
    expect(receiptsOf((r) => r.kind === 'policy.snapshot' && (r.payload as { layer: string }).layer === 'user').length).toBeGreaterThan(0);
  });

  it('exits 2 with a clear message when the gateway is unreachable', async () => {
    const res = await nome({ ...box, env: { ...box.env, NOME_GATEWAY: path.join(box.dataDir, 'nowhere.sock') } }, ['exec', '--', 'true']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/cannot reach the NOME gateway/);
  });

  it('refuses a client without a valid token', async () => {
    const res = await nome({ ...box, env: { ...box.env, NOME_TOKEN: 'nome_forged' } }, ['exec', '--', 'true']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/unauthorized/);
  });

  it.runIf(probeSandbox().confined)('confines commands: a write outside the workspace fails and the receipt says confined', async () => {
    const outside = path.join(box.home, 'outside.txt');
    // `sh script.sh` executes code the command line does not show: write tier when confined, so it runs.
    // HOME is a private area (an empty scratch tmpfs): the write succeeds there and is gone with the run;
    // /etc is visible and read-only.
    writeFileSync(path.join(box.workspace, 'escape.sh'), `echo pwned > ${outside} && echo home-scratch; echo pwned > /etc/nome-pwned\n`);
    const res = await nome(box, ['exec', '--', 'sh escape.sh']);
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain('home-scratch');
    expect(res.stdout).toMatch(/Read-only file system/);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync('/etc/nome-pwned')).toBe(false);
    const exit = runReceipts('sh escape.sh').find((r) => r.kind === 'command.exit')!;
    expect(exit.payload).toMatchObject({ confined: true });
  });

  it.runIf(probeSandbox().confined)('hides the workspace\'s protected files from code the command line does not show', async () => {
    mkdirSync(path.join(box.workspace, 'deep', 'er'), { recursive: true });
    writeFileSync(path.join(box.workspace, 'deep', 'er', '.env.production'), 'DEEP_SECRET=2\n');
    writeFileSync(path.join(box.workspace, 'leak.sh'), 'cat .env deep/er/.env.production; echo done\n');
    const res = await nome(box, ['exec', '--', 'sh leak.sh']);
    expect(res.stdout).toContain('done');
    expect(res.stdout).not.toContain('SECRET=1');
    expect(res.stdout).not.toContain('DEEP_SECRET');
  });

  it('delivers byte-exact output with a matching digest, 50 times', async () => {
    const expected = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\r\n`).join('');
    const digest = createHash('sha256').update(expected).digest('hex');
    for (let i = 0; i < 50; i++) {
      const res = await nome(box, ['exec', '--', 'seq 1 200000']);
      expect(res.code).toBe(0);
      expect(res.stdout.length).toBe(expected.length);
      expect(res.stdout === expected, `run ${i} output differs`).toBe(true);
      const exit = runReceipts('seq 1 200000').find((r) => r.kind === 'command.exit')!;
      expect((exit.payload as { outputSha256: string }).outputSha256).toBe(digest);
    }
  }, 300_000);

  it('keeps an intact chain that nome audit verify confirms', async () => {
    const res = await nome(box, ['audit', 'verify', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: true });
  });
});
