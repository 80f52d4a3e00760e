import { describe, expect, it, vi } from 'vitest';
import { registerIpc, senderProblem } from '../../../src/main/electron/ipc';
import { invokeChannel, invokeNames } from '../../../src/shared/contract';
import type { Handlers } from '../../../src/main/host/dispatch';

type Listener = (event: unknown, ...args: unknown[]) => Promise<unknown>;

function setup() {
  const registered = new Map<string, Listener>();
  const ipcMain = { handle: (channel: string, listener: Listener) => void registered.set(channel, listener) };
  const ping = vi.fn(({ nonce }: { nonce: string }) => ({ nonce, receivedAt: 1 }));
  const handlers = { ping, version: vi.fn() } as unknown as Handlers;
  registerIpc(ipcMain as never, handlers, () => 7);
  return { registered, ping };
}

function event({ url = 'app://nome/index.html', top = true, senderId = 7 } = {}) {
  const mainFrame = { url, parent: null };
  const frame = top ? mainFrame : { url, parent: mainFrame };
  return { sender: { id: senderId, mainFrame }, senderFrame: frame };
}

describe('ipcMain handlers', () => {
  it('registers one handler per contract entry', () => {
    const { registered } = setup();
    expect([...registered.keys()].sort()).toEqual(invokeNames.map(invokeChannel).sort());
  });

  it('runs the handler for the app’s own top-level frame with a valid payload', async () => {
    const { registered, ping } = setup();
    const reply = await registered.get(invokeChannel('ping'))!(event(), { nonce: 'n1' });
    expect(reply).toEqual({ ok: true, value: { nonce: 'n1', receivedAt: 1 } });
    expect(ping).toHaveBeenCalledOnce();
  });

  it.each([
    ['a subframe', event({ top: false }), 'not the top-level frame'],
    ['a foreign origin', event({ url: 'https://evil.example/' }), 'is not the app'],
    ['another web contents', event({ senderId: 8 }), 'not the main window'],
    ['a destroyed frame', { ...event(), senderFrame: null }, 'the sending frame is gone'],
  ])('refuses %s and runs nothing', async (_label, ev, message) => {
    const { registered, ping } = setup();
    const reply = (await registered.get(invokeChannel('ping'))!(ev, { nonce: 'n' })) as { ok: false; error: { code: string; message: string } };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('forbidden');
    expect(reply.error.message).toContain(message);
    expect(ping).not.toHaveBeenCalled();
  });

  it.each([
    ['a missing field', {}],
    ['a wrong type', { nonce: 42 }],
    ['an extra field', { nonce: 'n', extra: true }],
    ['an oversized string', { nonce: 'x'.repeat(10_000) }],
    ['null', null],
  ])('rejects %s with a clear error and runs nothing', async (_label, payload) => {
    const { registered, ping } = setup();
    const reply = (await registered.get(invokeChannel('ping'))!(event(), payload)) as { ok: false; error: { code: string; message: string } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(reply.error.message).toMatch(/^ping: /);
    expect(ping).not.toHaveBeenCalled();
  });

  it('rejects extra arguments', async () => {
    const { registered, ping } = setup();
    const reply = await registered.get(invokeChannel('ping'))!(event(), { nonce: 'n' }, 'extra');
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(ping).not.toHaveBeenCalled();
  });

  it('explains the sender problem in words', () => {
    expect(senderProblem(event() as never, 7)).toBeNull();
    expect(senderProblem(event({ url: 'app://other/x' }) as never, 7)).toContain('app://other');
  });
});
