/**
 * The composition root of NOME's main-process services under plain Node. Electron's shell and the
 * headless host both call `createServices` and then only differ in how messages reach `handlers`
 * and how `events` reach the renderer.
 *
 * Runtime: plain Node.
 */
import { EventEmitter } from 'node:events';
import { events as eventSchemas, type EventName, type EventPayload } from '../../shared/contract';
import type { Handlers } from './dispatch';
import { APP_VERSION } from './version';

export interface HostContext {
  host: 'electron' | 'serve';
  /** The workspace the UI opened with, when one was given. */
  workspace: string | null;
  /** Versions of the runtime, filled in by the composition root that knows them. */
  versions: { node: string; electron: string | null; chrome: string | null };
}

/** Typed event fan-out to every connected renderer. Payloads are validated before they leave. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this.emitter.emit('event', name, eventSchemas[name].parse(payload));
  }
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}

export interface Services {
  handlers: Handlers;
  bus: EventBus;
  /** What a newly connected renderer is told first. */
  hello(): EventPayload<'hello'>;
  close(): Promise<void>;
}

export function createServices(ctx: HostContext): Services {
  const bus = new EventBus();
  const handlers: Handlers = {
    ping: ({ nonce }) => ({ nonce, receivedAt: Date.now() }),
    version: () => ({ app: APP_VERSION, host: ctx.host, ...ctx.versions }),
  };
  return {
    handlers,
    bus,
    hello: () => ({ host: ctx.host, workspace: ctx.workspace }),
    close: async () => {},
  };
}
