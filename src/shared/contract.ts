/**
 * The IPC contract: the one table of every message between the renderer and the main process.
 *
 * Runtime: shared (main, preload, renderer, headless host). No Node, no Electron.
 *
 * Each invoke entry becomes one function on `window.nome` (preload) and on the WebSocket bridge
 * (`nome serve`); each event entry becomes one typed subscription. Main and the headless host
 * validate every request against `request` before a handler runs, and every response against
 * `response` before it leaves.
 */
import { z } from 'zod';

/** Bounded strings keep a malformed or hostile payload from costing more than it should. */
const text = (max = 4096) => z.string().max(max);

export const invokes = {
  /** Round trip used by the status bar to prove the bridge works end to end. */
  ping: {
    request: z.strictObject({ nonce: text(128) }),
    response: z.strictObject({ nonce: text(128), receivedAt: z.number() }),
  },
  version: {
    request: z.strictObject({}),
    response: z.strictObject({
      app: text(64),
      host: z.enum(['electron', 'serve']),
      node: text(64),
      electron: text(64).nullable(),
      chrome: text(64).nullable(),
    }),
  },
} as const;

export const events = {
  /** The main process says it is alive and what it serves; sent once per connection. */
  hello: z.strictObject({ host: z.enum(['electron', 'serve']), workspace: text().nullable() }),
} as const;

/**
 * Messages the preload itself sends to main, never exposed on `window.nome`: the page cannot send them.
 */
export const reports = {
  /** What the preload sees of the renderer it runs in, for main's start-up self-check. */
  hardening: z.strictObject({ sandboxed: z.boolean(), contextIsolated: z.boolean() }),
} as const;
export const reportChannel = (name: keyof typeof reports): string => `nome:report:${name}`;

export type Invokes = typeof invokes;
export type InvokeName = keyof Invokes;
export type EventName = keyof typeof events;
export type Request<K extends InvokeName> = z.input<Invokes[K]['request']>;
export type Response<K extends InvokeName> = z.output<Invokes[K]['response']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const invokeNames = Object.keys(invokes) as InvokeName[];
export const eventNames = Object.keys(events) as EventName[];

/** Channel names on the wire: a fixed prefix lets main reject anything that is not NOME's. */
export const invokeChannel = (name: InvokeName): string => `nome:invoke:${name}`;
export const eventChannel = (name: EventName): string => `nome:event:${name}`;

/** Every reply crosses the boundary as this envelope, so errors arrive with their code and text intact. */
export type IpcErrorCode = 'forbidden' | 'unknown-channel' | 'bad-request' | 'failed';
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: IpcErrorCode; message: string } };

/** The API the renderer sees, derived from the contract: one function per invoke, one subscription per event. */
export type NomeApi = {
  [K in InvokeName]: (request: Request<K>) => Promise<Response<K>>;
} & {
  on: { [K in EventName]: (listener: (payload: EventPayload<K>) => void) => () => void };
};

export class IpcError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcError';
  }
}

/** Limits checked before a payload is parsed at all. */
export const MAX_PAYLOAD_BYTES = 1 << 20;
