/**
 * The renderer's way to the main process. In Electron the preload gives `window.nome`; under
 * `nome serve` the same API is built here over the WebSocket bridge. Screens only see `NomeApi`.
 *
 * Runtime: renderer (browser). No Node, no Electron.
 */
import {
  eventChannel,
  eventNames,
  invokeNames,
  type Envelope,
  type EventName,
  type NomeApi,
} from '../../shared/contract';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface Bridge {
  api: NomeApi;
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
}

declare global {
  interface Window {
    nome?: NomeApi;
  }
}

export function connectBridge(): Bridge {
  if (window.nome) {
    const api = window.nome;
    return { api, state: () => 'connected', onState: () => () => {} };
  }
  return connectWebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge`);
}

export function connectWebSocket(url: string): Bridge {
  let state: ConnectionState = 'connecting';
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of stateListeners) listener(next);
  };
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => {
      setState('connected');
      resolve();
    });
    socket.addEventListener('close', () => {
      setState('disconnected');
      reject(new Error('the connection to NOME closed'));
      for (const { reject: fail } of pending.values()) fail(new Error('the connection to NOME closed'));
      pending.clear();
    });
  });
  opened.catch(() => {});
  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const data = JSON.parse(message.data) as { id?: number | null; reply?: Envelope<unknown>; event?: string; payload?: unknown };
    if (typeof data.event === 'string') {
      for (const listener of eventListeners.get(data.event) ?? []) listener(data.payload);
      return;
    }
    const waiter = typeof data.id === 'number' ? pending.get(data.id) : undefined;
    if (!waiter || !data.reply) return;
    pending.delete(data.id as number);
    if (data.reply.ok) waiter.resolve(data.reply.value);
    else waiter.reject(new Error(`[${data.reply.error.code}] ${data.reply.error.message}`));
  });

  const api: Record<string, unknown> = {};
  for (const name of invokeNames) {
    api[name] = async (payload: unknown) => {
      await opened;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, name, payload }));
      });
    };
  }
  const on: Record<string, unknown> = {};
  for (const name of eventNames) {
    const channel = eventChannel(name as EventName);
    on[name] = (listener: (payload: unknown) => void) => {
      const set = eventListeners.get(channel) ?? new Set();
      set.add(listener);
      eventListeners.set(channel, set);
      return () => void set.delete(listener);
    };
  }
  api.on = on;
  return {
    api: api as NomeApi,
    state: () => state,
    onState: (listener) => {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
  };
}
