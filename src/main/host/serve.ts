/**
 * The headless host behind `nome serve`: the built renderer on 127.0.0.1 and the IPC contract
 * bridged over a WebSocket, for headless machines and for browser tests.
 *
 * Access control: the printed URL carries a random one-time token. Its first use swaps it for an
 * HttpOnly, SameSite=Strict session cookie and redirects to a clean URL, so the token never stays
 * in history. Every request must also carry our own Host header (defeats DNS rebinding) and, when
 * it has one, our own Origin (defeats cross-site requests); the WebSocket must have both.
 *
 * Runtime: plain Node.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { eventChannel, MAX_PAYLOAD_BYTES, type EventName } from '../../shared/contract';
import { dispatch, fail } from './dispatch';
import { contentSecurityPolicy } from './csp';
import { contentType, resolveStatic } from './static';
import type { Services } from './services';

export const BRIDGE_PATH = '/bridge';
const COOKIE = 'nome_session';

export interface HeadlessHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

const bridgeMessage = z.strictObject({ id: z.number().int().nonnegative(), name: z.string().max(128), payload: z.unknown() });

function secretEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export async function startHeadlessHost(opts: { services: Services; rendererDir: string; port?: number }): Promise<HeadlessHost> {
  const { services, rendererDir } = opts;
  let oneTimeToken: string | null = randomBytes(24).toString('base64url');
  const sessionSecret = randomBytes(32).toString('base64url');
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const hostOk = (req: IncomingMessage) => allowedHosts().has(req.headers.host ?? '');
  const originOk = (req: IncomingMessage, required: boolean) =>
    req.headers.origin === undefined ? !required : allowedOrigins().has(req.headers.origin);
  const sessionOk = (req: IncomingMessage) => {
    const value = cookieValue(req, COOKIE);
    return value !== null && secretEquals(value, sessionSecret);
  };

  const deny = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${message}\n`);
  };

  const server = createServer(async (req, res) => {
    if (!hostOk(req)) return deny(res, 403, 'refused: foreign Host header');
    if (!originOk(req, false)) return deny(res, 403, 'refused: foreign Origin header');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const presented = url.searchParams.get('token');
    if (presented !== null) {
      if (oneTimeToken === null || !secretEquals(presented, oneTimeToken)) return deny(res, 401, 'refused: invalid or used token');
      oneTimeToken = null;
      res.writeHead(303, {
        location: '/',
        'set-cookie': `${COOKIE}=${sessionSecret}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    if (!sessionOk(req)) return deny(res, 401, 'refused: open the URL with the token that nome serve printed');
    const file = resolveStatic(rendererDir, url.pathname);
    if (file === null) return deny(res, 404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return deny(res, 404, 'not found');
    }
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-security-policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== BRIDGE_PATH || !hostOk(req) || !originOk(req, true) || !sessionOk(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws));
  });

  let connections = 0;
  const bridge = (ws: WebSocket) => {
    const connectionId = `ws:${++connections}`;
    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const detach = services.attach(connectionId, (name: EventName, payload) => send({ event: eventChannel(name), payload }));
    ws.on('close', detach);
    send({ event: eventChannel('hello'), payload: services.hello() });
    ws.on('message', async (data) => {
      let message: z.infer<typeof bridgeMessage>;
      try {
        message = bridgeMessage.parse(JSON.parse(data.toString()));
      } catch {
        return send({ id: null, reply: fail('bad-request', 'malformed bridge message') });
      }
      send({ id: message.id, reply: await dispatch(services.handlers, message.name, message.payload, { connectionId }) });
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${oneTimeToken}`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
