/** The headless host over real HTTP and a real WebSocket on 127.0.0.1. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServices, type Services } from '../../../src/main/host/services';
import { startHeadlessHost, type HeadlessHost } from '../../../src/main/host/serve';
import { isStrictCsp } from '../../../src/main/host/csp';

let host: HeadlessHost;
let services: Services;
let root: string;

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nome-serve-'));
  mkdirSync(path.join(root, 'renderer'));
  writeFileSync(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>NOME</title>');
  writeFileSync(path.join(root, 'outside.txt'), 'secret');
  services = await createServices({
    host: 'serve',
    workspace: null,
    dataDir: path.join(root, 'data'),
    versions: { node: '22', electron: null, chrome: null },
    env: { HOME: root, PATH: process.env.PATH, NOME_MANAGED_POLICY: path.join(root, 'managed.json') },
  });
  host = await startHeadlessHost({ services, rendererDir: path.join(root, 'renderer') });
});
afterEach(async () => {
  await host.close();
  await services.close();
});

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path: pathname, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function session(): Promise<string> {
  const token = new URL(host.url).searchParams.get('token')!;
  const res = await get(`/?token=${token}`);
  expect(res.status).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0]!;
}

function openSocket(headers: Record<string, string>, messages: unknown[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge`, { headers });
    ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('nome serve', () => {
  it('listens on 127.0.0.1 and prints a URL with a token', () => {
    const url = new URL(host.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[\w-]{32}$/);
  });

  it('refuses requests without the token', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
  });

  it('accepts the token once, swapping it for an HttpOnly SameSite=Strict cookie', async () => {
    const token = new URL(host.url).searchParams.get('token')!;
    const first = await get(`/?token=${token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get(`/?token=${token}`)).status).toBe(401);
  });

  it('serves the renderer with a strict CSP to a session', async () => {
    const cookie = await session();
    const res = await get('/', { cookie });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>NOME</title>');
    expect(isStrictCsp(String(res.headers['content-security-policy']))).toBe(true);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    const cookie = await session();
    expect((await get('/', { cookie, host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await get('/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
  });

  it('does not serve files outside the renderer', async () => {
    const cookie = await session();
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/%00index.html']) {
      const res = await get(p, { cookie });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('secret');
    }
  });

  it('bridges the contract over the WebSocket', async () => {
    const cookie = await session();
    const messages: unknown[] = [];
    const ws = await openSocket({ cookie, origin: `http://127.0.0.1:${host.port}` }, messages);
    ws.send(JSON.stringify({ id: 1, name: 'ping', payload: { nonce: 'abc' } }));
    ws.send(JSON.stringify({ id: 2, name: 'ping', payload: { nonce: 7 } }));
    ws.send(JSON.stringify({ id: 3, name: 'shell', payload: {} }));
    ws.send('not json');
    await expect.poll(() => messages.length).toBe(5);
    expect(messages).toContainEqual({ event: 'nome:event:hello', payload: { host: 'serve', workspace: null } });
    expect(messages).toContainEqual({ id: 1, reply: { ok: true, value: { nonce: 'abc', receivedAt: expect.any(Number) } } });
    expect(messages).toContainEqual({ id: 2, reply: { ok: false, error: { code: 'bad-request', message: expect.stringContaining('nonce') } } });
    expect(messages).toContainEqual({ id: 3, reply: { ok: false, error: { code: 'unknown-channel', message: expect.any(String) } } });
    expect(messages).toContainEqual({ id: null, reply: { ok: false, error: { code: 'bad-request', message: 'malformed bridge message' } } });
    ws.close();
  });

  it('refuses a WebSocket without the session, with a foreign Origin, or without an Origin', async () => {
    const cookie = await session();
    const origin = `http://127.0.0.1:${host.port}`;
    await expect(openSocket({ origin })).rejects.toThrow(/refused 403/);
    await expect(openSocket({ cookie, origin: 'http://evil.example' })).rejects.toThrow(/refused 403/);
    await expect(openSocket({ cookie })).rejects.toThrow(/refused 403/);
  });
});
