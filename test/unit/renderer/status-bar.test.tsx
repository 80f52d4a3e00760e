// @vitest-environment happy-dom
/** The status bar against a bridge whose API answers like main does. */
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import type { NomeApi } from '../../../src/shared/contract';
import type { Bridge, ConnectionState } from '../../../src/renderer/src/bridge';
import { StatusBar } from '../../../src/renderer/src/StatusBar';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function fakeBridge(overrides: Partial<NomeApi> = {}): Bridge & { setState(s: ConnectionState): void } {
  const listeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connected';
  const api = {
    ping: async ({ nonce }: { nonce: string }) => ({ nonce, receivedAt: 1 }),
    version: async () => ({ app: '9.9.9', host: 'serve' as const, node: '22.0.0', electron: null, chrome: null }),
    on: {},
    ...overrides,
  } as unknown as NomeApi;
  return {
    api,
    state: () => state,
    onState: (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    setState: (s) => {
      state = s;
      for (const l of listeners) l(s);
    },
  };
}

async function render(bridge: Bridge): Promise<HTMLElement> {
  const el = document.createElement('div');
  document.body.append(el);
  await act(async () => createRoot(el).render(<StatusBar bridge={bridge} />));
  return el;
}

describe('StatusBar', () => {
  it('shows the connection, the version and a ping round trip', async () => {
    const el = await render(fakeBridge());
    expect(el.querySelector('[data-testid=connection]')?.textContent).toBe('Connected');
    expect(el.querySelector('[data-testid=version]')?.textContent).toContain('NOME 9.9.9');
    expect(el.querySelector('[data-testid=ping]')?.textContent).toMatch(/^ping \d+\.\d ms$/);
  });

  it('follows the connection state', async () => {
    const bridge = fakeBridge();
    const el = await render(bridge);
    await act(async () => bridge.setState('disconnected'));
    expect(el.querySelector('[data-testid=connection]')?.textContent).toBe('Disconnected');
  });

  it('shows an error when the round trip fails', async () => {
    const el = await render(fakeBridge({ ping: async () => ({ nonce: 'other', receivedAt: 1 }) }));
    expect(el.querySelector('.error')?.textContent).toBe('ping answered with the wrong nonce');
    expect(el.querySelector('[data-testid=ping]')).toBeNull();
  });
});
