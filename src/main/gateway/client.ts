/**
 * A gateway client: one connection, calls with streamed notifications. Used by `nome exec`,
 * `nome approvals` and, later, the MCP and hook adapters.
 *
 * Kept free of zod and other heavy imports: it is loaded on every `nome exec`.
 *
 * Runtime: plain Node.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { localApproverTokenPath, localClientTokenPath, type RpcMessage } from './protocol';

export class GatewayUnreachable extends Error {}
export class GatewayCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface GatewayClient {
  call<T = unknown>(method: string, params: Record<string, unknown>, onNotification?: (method: string, params: Record<string, unknown>) => void): Promise<T>;
  close(): void;
}

/**
 * The token the CLI presents. As an agent (`nome exec`): `$NOME_TOKEN`, else the local agent token
 * file in the data dir. As an approver (`nome approvals`, `nome tokens`): `$NOME_APPROVER_TOKEN`,
 * else the local approver token file.
 */
export function clientToken(dataDir: string, env: NodeJS.ProcessEnv = process.env, role: 'agent' | 'approver' = 'agent'): string | null {
  const fromEnv = role === 'agent' ? env.NOME_TOKEN : env.NOME_APPROVER_TOKEN;
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(role === 'agent' ? localClientTokenPath(dataDir) : localApproverTokenPath(dataDir), 'utf8').trim();
  } catch {
    return null;
  }
}

export async function connectGateway(address: string, token: string | null): Promise<GatewayClient> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(address);
    s.once('connect', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(new GatewayUnreachable(`cannot reach the NOME gateway at ${address} (${error.code ?? error.message}); is \`nome serve\` or the app running?`)),
    );
  });
  let nextId = 1;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onNotification?: (m: string, p: Record<string, unknown>) => void }>();
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const message = JSON.parse(line) as RpcMessage;
      if ('method' in message) {
        calls.get(Number(message.params.call))?.onNotification?.(message.method, message.params);
      } else if (typeof message.id === 'number') {
        const call = calls.get(message.id);
        calls.delete(message.id);
        if ('error' in message) call?.reject(new GatewayCallError(message.error.code, message.error.message));
        else call?.resolve(message.result);
      }
    }
  });
  const failAll = (error: Error) => {
    for (const call of calls.values()) call.reject(error);
    calls.clear();
  };
  socket.on('error', (error) => failAll(new GatewayUnreachable(`the NOME gateway connection failed: ${error.message}`)));
  socket.on('close', () => failAll(new GatewayUnreachable('the NOME gateway closed the connection')));

  return {
    call: (method, params, onNotification) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        calls.set(id, { resolve: resolve as (v: unknown) => void, reject, onNotification });
        socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, token } })}\n`);
      }),
    close: () => socket.end(),
  };
}
