/**
 * Gateway token scopes (issue 9, point 4), against a real `nome serve`: an agent token requests
 * and only for its workspaces; only an approver token lists or answers approvals and issues tokens.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../../../src/main/audit';
import { connectGateway, GatewayCallError, RPC_ERRORS, TokenStore, type GatewayClient } from '../../../src/main/gateway';
import { makeSandbox, nome, startServer, type Sandbox, type Server } from '../../support/nome';

let box: Sandbox;
let server: Server;
let agent: GatewayClient;
let approver: GatewayClient;
const clients: GatewayClient[] = [];

const tokenFile = (name: string) => readFileSync(path.join(box.dataDir, 'gateway', name), 'utf8').trim();
async function connect(token: string): Promise<GatewayClient> {
  const client = await connectGateway(path.join(box.dataDir, 'gateway.sock'), token);
  clients.push(client);
  return client;
}
async function refusal(call: Promise<unknown>): Promise<GatewayCallError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayCallError);
  return error as GatewayCallError;
}
const execParams = (workspace: string, command = 'echo ran') => ({ command, workspace, sessionId: 's1' });

beforeAll(async () => {
  box = makeSandbox();
  server = await startServer(box, ['--approval-timeout', '10']);
  agent = await connect(tokenFile('client.token'));
  approver = await connect(tokenFile('approver.token'));
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

describe('agent tokens', () => {
  it('run commands in their own workspace', async () => {
    const outcome = await agent.call<{ verdict: string; exitCode: number }>('exec', execParams(box.workspace));
    expect(outcome).toMatchObject({ verdict: 'allow', exitCode: 0 });
  });

  it('cannot list, answer or issue anything', async () => {
    for (const [method, params] of [
      ['approvals.list', {}],
      ['approvals.answer', { id: 'x', answer: 'approve-once' }],
      ['tokens.issue', { name: 'x', workspaces: [box.workspace] }],
      ['tokens.list', {}],
      ['tokens.revoke', { id: 'x' }],
    ] as const) {
      const error = await refusal(agent.call(method, params));
      expect(error.code, method).toBe(RPC_ERRORS.forbidden);
      expect(error.message).toMatch(/needs an approver token/);
    }
  });

  it('cannot answer its own pending approval: only the approver can, and the receipt says so', async () => {
    const pending = agent.call<{ verdict: string; provenance: { by: string; who?: string } }>('exec', execParams(box.workspace, 'rm -rf nothing-here'));
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      id = (await approver.call<{ pending: { id: string }[] }>('approvals.list', {})).pending[0]?.id;
      if (!id) await new Promise((r) => setTimeout(r, 30));
    }
    expect(id).toBeDefined();
    expect((await refusal(agent.call('approvals.answer', { id: id!, answer: 'approve-once' }))).code).toBe(RPC_ERRORS.forbidden);
    await approver.call('approvals.answer', { id: id!, answer: 'approve-once' });
    const outcome = await pending;
    expect(outcome.verdict).toBe('allow');
    expect(outcome.provenance.by).toBe('user');
    expect(outcome.provenance.who).toMatch(/local approver/);
  });

  it('cannot name a workspace they were not issued for: another directory, /, the home directory', async () => {
    const other = path.join(box.root, 'other-ws');
    mkdirSync(other);
    for (const ws of [other, '/', box.home, path.join(box.workspace, '..')]) {
      const error = await refusal(agent.call('exec', execParams(ws)));
      expect(error.code, ws).toBe(RPC_ERRORS.forbidden);
      expect(error.message).toMatch(/not issued for the workspace/);
    }
    const store = openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
    try {
      const rejected = store.list({ limit: 10_000 }).filter((r) => r.kind === 'token.event' && (r.payload as { event: string }).event === 'rejected');
      expect(rejected.length).toBeGreaterThanOrEqual(4);
      // Nothing ran: no run receipt names another workspace.
      expect(store.list({ limit: 10_000 }).some((r) => r.kind === 'run.started' && (r.payload as { workspace: string }).workspace !== box.workspace)).toBe(false);
    } finally {
      store.close();
    }
  });
});

describe('approver tokens', () => {
  it('cannot run commands', async () => {
    const error = await refusal(approver.call('exec', execParams(box.workspace)));
    expect(error.code).toBe(RPC_ERRORS.forbidden);
    expect(error.message).toMatch(/needs an agent token/);
  });

  it('issue agent tokens for a workspace (never / or the home directory), which act only there; list and revoke them', async () => {
    const other = path.join(box.root, 'second-ws');
    mkdirSync(other);
    for (const bad of ['/', box.home]) {
      const error = await refusal(approver.call('tokens.issue', { name: 'bad', workspaces: [bad] }));
      expect(error.message).toMatch(/cannot act for .*: it is the (root of the file system|home directory)/);
    }
    const issued = await approver.call<{ token: string; id: string }>('tokens.issue', { name: 'codex', workspaces: [other] });
    const second = await connect(issued.token);
    expect(await second.call('exec', execParams(other))).toMatchObject({ verdict: 'allow', exitCode: 0 });
    expect((await refusal(second.call('exec', execParams(box.workspace)))).code).toBe(RPC_ERRORS.forbidden);
    const { tokens } = await approver.call<{ tokens: { id: string; scope: string; workspaces: string[]; sha256?: string }[] }>('tokens.list', {});
    expect(tokens.find((t) => t.id === issued.id)).toMatchObject({ scope: 'agent', workspaces: [other] });
    expect(tokens.every((t) => t.sha256 === undefined)).toBe(true);
    expect(await approver.call('tokens.revoke', { id: issued.id })).toEqual({ revoked: true });
    const revoked = await refusal(second.call('exec', execParams(other)));
    expect(revoked.code).toBe(RPC_ERRORS.unauthorized);
  });

  it('`nome tokens` and `nome approvals` use the approver token; `nome exec` the agent token', async () => {
    const list = await nome(box, ['tokens', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/agent\s+local cli/);
    expect(list.stdout).toMatch(/approver\s+local approver/);
    const asAgent = await nome({ ...box, env: { ...box.env, NOME_APPROVER_TOKEN: tokenFile('client.token') } }, ['approvals', 'list']);
    expect(asAgent.code).toBe(1);
    expect(asAgent.stderr).toMatch(/forbidden/);
  });
});

describe('the token file', () => {
  it('a token record from before scopes is an agent token bound to nothing, and the local tokens are reissued', () => {
    const dir = path.join(box.root, 'legacy');
    mkdirSync(path.join(dir, 'gateway'), { recursive: true });
    writeFileSync(path.join(dir, 'gateway', 'tokens.json'), JSON.stringify({ tokens: [{ id: 'a', name: 'old', sha256: '0'.repeat(64), createdAt: 'x' }] }));
    const store = new TokenStore(dir);
    expect(store.list()[0]).toMatchObject({ scope: 'agent', workspaces: [] });
    const approverToken = store.ensureLocalApproverToken();
    expect(approverToken.issued).toMatchObject({ scope: 'approver' });
    const agentToken = store.ensureLocalClientToken([box.workspace]);
    expect(TokenStore.mayUse(store.verify(agentToken.token)!, box.workspace)).toBe(true);
    expect(TokenStore.mayUse(store.verify(approverToken.token)!, box.workspace)).toBe(false);
  });
});

describe('what the person sees is what runs', () => {
  it('`nome approvals list` and `nome check` spell out control characters in the command', async () => {
    const disguised = 'rm -rf build \x1b[55D\x1b[Kgit status';
    const pending = agent.call('exec', execParams(box.workspace, disguised));
    let listed = '';
    for (let i = 0; i < 100 && !listed.includes('rm -rf'); i++) {
      listed = (await nome(box, ['approvals', 'list'])).stdout;
      if (!listed.includes('rm -rf')) await new Promise((r) => setTimeout(r, 30));
    }
    expect(listed).toContain('rm -rf build \\e[55D\\e[Kgit status');
    expect(listed).not.toContain('\x1b');
    const json = (await nome(box, ['approvals', 'list', '--json'])).stdout;
    expect(json).not.toContain('\x1b');
    expect((JSON.parse(json) as { subject: string }[])[0]!.subject).toBe(disguised);
    const id = (JSON.parse(json) as { id: string }[])[0]!.id;
    await nome(box, ['approvals', 'answer', id, 'deny']);
    await pending;
    const check = await nome(box, ['check', '--workspace', box.workspace, '--', disguised]);
    expect(check.stdout).toContain('\\e[55D\\e[K');
    expect(check.stdout + check.stderr).not.toContain('\x1b');
  });
});
