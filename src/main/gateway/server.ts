/**
 * The gateway server: authenticates each request by token hash, validates its params, and runs
 * the method. A connection that closes aborts its calls (a waiting approval is then cancelled).
 *
 * Runtime: plain Node.
 */
import net from 'node:net';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_LINE_BYTES, RPC_ERRORS, type RpcMessage } from './protocol';
import type { TokenRecord, TokenScope, TokenStore } from './tokens';

const rpcRequest = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.number().int(), z.string().max(64)]),
  method: z.string().max(64),
  params: z.record(z.string(), z.unknown()),
});

export interface CallContext {
  client: TokenRecord;
  /** Streams a notification for this call to the client. Resolves when the bytes were handed to the socket. */
  notify(method: string, params: Record<string, unknown>): Promise<void>;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export interface Method<S extends z.ZodType = z.ZodType> {
  params: S;
  /** The only token scope that may call it (see tokens.ts). */
  scope: TokenScope;
  run(params: z.output<S>, ctx: CallContext): Promise<unknown>;
  /** The result's schema (the gateway contract's): a result that does not fit is not sent. */
  result?: z.ZodType;
}

export function method<S extends z.ZodType>(scope: TokenScope, params: S, run: (params: z.output<S>, ctx: CallContext) => Promise<unknown>, result?: z.ZodType): Method {
  return { scope, params, run, ...(result ? { result } : {}) } as Method;
}

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Gateway {
  address: string;
  close(): Promise<void>;
}

/** Refuses to start over a live gateway; removes a stale socket file left by a crash. */
async function claimAddress(address: string): Promise<void> {
  if (process.platform === 'win32' || !existsSync(address)) return;
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(address);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another NOME gateway is already listening on ${address}`);
  unlinkSync(address);
}

export async function startGateway(opts: {
  address: string;
  tokens: TokenStore;
  methods: Record<string, Method>;
  onRejectedToken?: (reason: string) => void;
  /** A valid token asked for something outside its scope. */
  onForbidden?: (client: TokenRecord, reason: string) => void;
  /** A method produced a result that does not fit its contract (a bug in NOME: it is reported, not sent). */
  onInvalidResult?: (method: string, issue: string) => void;
}): Promise<Gateway> {
  const { address, tokens, methods } = opts;
  if (process.platform !== 'win32') mkdirSync(path.dirname(address), { recursive: true, mode: 0o700 });
  await claimAddress(address);

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const abort = new AbortController();
    socket.on('close', () => {
      sockets.delete(socket);
      abort.abort(new Error('client disconnected'));
    });
    socket.on('error', () => socket.destroy());
    const send = (message: RpcMessage) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.write(`${JSON.stringify(message)}\n`, () => resolve());
      });

    let buffer = '';
    socket.setEncoding('utf8');
    const tooLarge = () => {
      void send({ jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.invalidRequest, message: 'message too large' } }).then(() => socket.end());
      buffer = '';
    };
    socket.on('data', (chunk: string) => {
      if (socket.writableEnded) return;
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        // The limit holds per line, whether its newline came in the same chunk or not.
        if (line.length > MAX_LINE_BYTES) return tooLarge();
        if (line.trim()) void handle(line);
      }
      if (buffer.length > MAX_LINE_BYTES) tooLarge();
    });

    const handle = async (line: string) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return send({ jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.parse, message: 'not valid JSON' } });
      }
      const request = rpcRequest.safeParse(json);
      if (!request.success) return send({ jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.invalidRequest, message: 'not a JSON-RPC 2.0 request' } });
      const { id, method: name, params } = request.data;
      const client = tokens.verify(params.token);
      if (!client) {
        opts.onRejectedToken?.(params.token === undefined ? 'missing token' : 'unknown token');
        return send({ jsonrpc: '2.0', id, error: { code: RPC_ERRORS.unauthorized, message: 'unauthorized: missing or unknown token' } });
      }
      const target = Object.hasOwn(methods, name) ? methods[name] : undefined;
      if (!target) return send({ jsonrpc: '2.0', id, error: { code: RPC_ERRORS.methodNotFound, message: `unknown method ${name}` } });
      if (target.scope !== client.scope) {
        opts.onForbidden?.(client, `${name} needs an ${target.scope} token`);
        return send({ jsonrpc: '2.0', id, error: { code: RPC_ERRORS.forbidden, message: `forbidden: ${name} needs an ${target.scope} token, and this is an ${client.scope} token` } });
      }
      const { token: _token, ...rest } = params;
      const parsed = target.params.safeParse(rest);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return send({ jsonrpc: '2.0', id, error: { code: RPC_ERRORS.invalidParams, message: `${name}: ${issue?.path.join('.') || 'params'}: ${issue?.message}` } });
      }
      try {
        const result = await target.run(parsed.data, {
          client,
          signal: abort.signal,
          notify: (method, p) => send({ jsonrpc: '2.0', method, params: { call: id, ...p } }),
        });
        const checked = target.result?.safeParse(result);
        if (checked && !checked.success) {
          const issue = checked.error.issues[0];
          opts.onInvalidResult?.(name, `${issue?.path.join('.') || 'result'}: ${issue?.message ?? 'invalid'}`);
          return send({ jsonrpc: '2.0', id, error: { code: RPC_ERRORS.internal, message: `NOME produced a ${name} result that does not fit the gateway contract; it was not sent` } });
        }
        await send({ jsonrpc: '2.0', id, result });
      } catch (error) {
        const code = error instanceof RpcError ? error.code : RPC_ERRORS.internal;
        await send({ jsonrpc: '2.0', id, error: { code, message: error instanceof Error ? error.message : String(error) } });
      }
    };
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(address, 0o600);

  return {
    address,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
