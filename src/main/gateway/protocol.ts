/**
 * The gateway's wire protocol: JSON-RPC 2.0, one message per line, over a Unix domain socket
 * (a named pipe on Windows). Every request carries the client's token in `params.token`.
 * Long calls stream progress as notifications `{ method, params: { call: <request id>, … } }`.
 *
 * Runtime: plain Node.
 */
import path from 'node:path';

// No zod here: clients (`nome exec`) load this module, and their start-up time is on every call.

export const MAX_LINE_BYTES = 1 << 20;

export const RPC_ERRORS = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  unauthorized: -32001,
  /** A valid token asked for something its scope or its workspaces do not cover. */
  forbidden: -32003,
} as const;

export type RpcMessage =
  | { jsonrpc: '2.0'; id: number | string | null; result: unknown }
  | { jsonrpc: '2.0'; id: number | string | null; error: { code: number; message: string } }
  | { jsonrpc: '2.0'; method: string; params: Record<string, unknown> };

/** Where the gateway listens: `--gateway`, else `$NOME_GATEWAY`, else the socket in the data dir. */
export function gatewayAddress(dataDir: string, override?: string | null, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (override) return override;
  if (env.NOME_GATEWAY) return env.NOME_GATEWAY;
  if (platform === 'win32') return `\\\\.\\pipe\\nome-gateway-${Buffer.from(dataDir).toString('hex').slice(0, 32)}`;
  return `${dataDir}/gateway.sock`;
}

export function gatewayDir(dataDir: string): string {
  return path.join(dataDir, 'gateway');
}

/** The local CLI's own agent token file (see tokens.ts). */
export function localClientTokenPath(dataDir: string): string {
  return path.join(gatewayDir(dataDir), 'client.token');
}

/** The local CLI's approver token file (see tokens.ts). */
export function localApproverTokenPath(dataDir: string): string {
  return path.join(gatewayDir(dataDir), 'approver.token');
}
