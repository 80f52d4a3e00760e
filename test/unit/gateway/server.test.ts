/**
 * The gateway server's failure paths (issue 11), with fake methods: whatever a client sends or a
 * method throws, the client gets a JSON-RPC error in NOME's words and the server keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { method, RPC_ERRORS, RpcError, startGateway, TokenStore, type Gateway } from '../../../src/main/gateway';

let root: string;
let gateway: Gateway;
let agentToken: string;
let approverToken: string;
const rejected: string[] = [];
const invalid: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nome-gw-'));
  const tokens = new TokenStore(path.join(root, 'data'));
  agentToken = tokens.issue('agent', 'agent', [root]).token;
  approverToken = tokens.issue('approver', 'approver').token;
  gateway = await startGateway({
    address: path.join(root, 'gw.sock'),
    tokens,
    onRejectedToken: (reason) => rejected.push(reason),
    onInvalidResult: (name, issue) => invalid.push(`${name}: ${issue}`),
    methods: {
      echo: method('agent', z.strictObject({ text: z.string().max(10) }), async ({ text }) => ({ text })),
      boom: method('agent', z.strictObject({}), async () => {
        throw new Error('a method failed (a fake)');
      }),
      refuse: method('agent', z.strictObject({}), async () => {
        throw new RpcError(RPC_ERRORS.forbidden, 'not for you');
      }),
      answer: method('approver', z.strictObject({}), async () => ({ ok: true })),
      // A result that does not fit its contract (a bug in NOME) is reported and not sent.
      drift: method('agent', z.strictObject({}), async () => ({ revoked: 'yes' }), z.object({ revoked: z.boolean() })),
    },
  });
});
afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Sends raw lines, returns the parsed replies (one per line sent that gets one). */
async function raw(lines: string[], expect = lines.length): Promise<Record<string, unknown>[]> {
  const socket = net.connect(gateway.address);
  const replies: Record<string, unknown>[] = [];
  let buffer = '';
  return new Promise((resolve, reject) => {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
      if (replies.length >= expect) {
        socket.destroy();
        resolve(replies);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(replies));
    socket.write(lines.map((l) => `${l}\n`).join(''));
  });
}
const call = (id: number, methodName: string, params: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', id, method: methodName, params });

describe('the gateway server', () => {
  it('answers what is valid, and refuses the rest with a reason, on one connection', async () => {
    const replies = await raw([
      'not json',
      JSON.stringify({ hello: 1 }),
      call(3, 'echo', { text: 'hi' }),
      call(4, 'echo', { text: 'hi', token: 'nome_forged' }),
      call(5, 'echo', { text: 'x'.repeat(11), token: agentToken }),
      call(6, 'nope', { token: agentToken }),
      call(7, 'boom', { token: agentToken }),
      call(8, 'refuse', { token: agentToken }),
      call(9, 'answer', { token: agentToken }),
      call(10, 'echo', { text: 'hi', token: approverToken }),
      call(11, 'echo', { text: 'hi', token: agentToken }),
    ]);
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(replies[0]).toMatchObject({ id: null, error: { code: RPC_ERRORS.parse } });
    expect(replies[1]).toMatchObject({ id: null, error: { code: RPC_ERRORS.invalidRequest } });
    expect(byId.get(3)).toMatchObject({ error: { code: RPC_ERRORS.unauthorized } });
    expect(byId.get(4)).toMatchObject({ error: { code: RPC_ERRORS.unauthorized } });
    expect(byId.get(5)).toMatchObject({ error: { code: RPC_ERRORS.invalidParams, message: expect.stringMatching(/^echo: text:/) } });
    expect(byId.get(6)).toMatchObject({ error: { code: RPC_ERRORS.methodNotFound } });
    expect(byId.get(7)).toMatchObject({ error: { code: RPC_ERRORS.internal, message: 'a method failed (a fake)' } });
    expect(byId.get(8)).toMatchObject({ error: { code: RPC_ERRORS.forbidden, message: 'not for you' } });
    expect(byId.get(9)).toMatchObject({ error: { code: RPC_ERRORS.forbidden, message: expect.stringMatching(/needs an approver token/) } });
    expect(byId.get(10)).toMatchObject({ error: { code: RPC_ERRORS.forbidden, message: expect.stringMatching(/needs an agent token/) } });
    expect(byId.get(11)).toMatchObject({ result: { text: 'hi' } });
    expect(rejected).toEqual(['missing token', 'unknown token']);
  });

  it('a result that does not fit the contract is not sent: the client gets an error in NOME\'s words, the drift is reported', async () => {
    const [reply] = await raw([call(1, 'drift', { token: agentToken })]);
    expect(reply).toMatchObject({ error: { code: RPC_ERRORS.internal, message: 'NOME produced a drift result that does not fit the gateway contract; it was not sent' } });
    expect(invalid).toEqual([expect.stringMatching(/^drift: revoked: /)]);
  });

  it('a line larger than the limit is refused and the connection closed; the server keeps serving', async () => {
    const replies = await raw(['x'.repeat((1 << 20) + 10)], 1);
    expect(replies[0]).toMatchObject({ error: { code: RPC_ERRORS.invalidRequest, message: 'message too large' } });
    const after = await raw([call(1, 'echo', { text: 'ok', token: agentToken })]);
    expect(after[0]).toMatchObject({ result: { text: 'ok' } });
  });
});
