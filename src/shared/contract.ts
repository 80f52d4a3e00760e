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

/** The longest plain text a message carries; longer texts are cut where they are made (see fitText). */
export const TEXT_MAX = 4096;

/** Bounded strings keep a malformed or hostile payload from costing more than it should. */
const text = (max = TEXT_MAX) => z.string().max(max);

/**
 * `value` cut to at most `max` characters with a marker saying how much is missing, so that data
 * made from a hostile or huge command still fits the contract. The producer keeps the full text
 * where it belongs (the receipt); only what is shown is cut.
 */
export function fitText(value: string, max: number = TEXT_MAX): string {
  if (value.length <= max) return value;
  const marker = (n: number) => `… [${n} more characters]`;
  const keep = max - marker(value.length).length;
  return value.slice(0, keep) + marker(value.length - keep);
}

const tier = z.enum(['read', 'write', 'danger']);
const span = z.tuple([z.number().int(), z.number().int()]);
const id = text(128);

/** What the approval dialog shows about one waiting operation. */
export const approvalView = z.object({
  id,
  runId: id,
  sessionId: text(256),
  tool: text(256),
  subject: text(65_536),
  createdAt: z.number(),
  expiresAt: z.number(),
  /** Whether "always" is offered, and exactly what it would allow (or why it is not offered). */
  always: z.object({ offered: z.boolean(), text: text() }),
  details: z.object({
    tier,
    executesCode: z.boolean(),
    reasons: z.array(z.object({ rule: text(256), tier, text: text(), span })),
    files: z.array(z.object({ path: text(), access: z.enum(['read', 'write']), level: text(32), allowed: z.boolean(), decision: z.enum(['allow', 'ask', 'deny']), reason: text() })),
    workspace: text(),
    agent: text(256).nullable(),
    why: z.array(text()),
  }),
});
export type ApprovalView = z.infer<typeof approvalView>;

export const grantView = z.object({ id, sessionId: text(256), tool: text(256), subject: text(65_536), grantedBy: text(256), grantedAt: z.number() });
export type GrantView = z.infer<typeof grantView>;

export const receiptView = z.object({
  seq: z.number().int(),
  ts: text(64),
  runId: text(256).nullable(),
  kind: text(64),
  payload: z.json(),
  prevHash: text(64),
  hash: text(64),
});
export type ReceiptView = z.infer<typeof receiptView>;

export const runView = z.object({
  runId: id,
  command: text(65_536),
  workspace: text(),
  startedAt: z.number(),
  ended: z.boolean(),
});
export type RunView = z.infer<typeof runView>;

const level = z.enum(['noAccess', 'readOnly', 'readWrite']);
export const ruleMatchView = z.object({
  layer: z.enum(['built-in', 'managed', 'workspace', 'workspace-local', 'user']),
  source: text(),
  line: z.number().int().nullable(),
  pattern: text(),
  level,
  matchedPath: text(),
  note: text().optional(),
});
export type RuleMatchView = z.infer<typeof ruleMatchView>;

export const treeEntryView = z.object({ name: text(), path: text(), kind: z.enum(['file', 'dir', 'symlink', 'other']), level, winner: ruleMatchView.nullable() });
export type TreeEntryView = z.infer<typeof treeEntryView>;

const approvalsState = z.object({ pending: z.array(approvalView), grants: z.array(grantView) });

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
  approvalsList: { request: z.strictObject({}), response: approvalsState },
  approvalsAnswer: {
    request: z.strictObject({ id, answer: z.enum(['approve-once', 'approve-session', 'always', 'deny']), reason: text(1024).nullable().optional() }),
    response: z.strictObject({ answered: z.boolean() }),
  },
  grantsRevoke: { request: z.strictObject({ id }), response: z.strictObject({ revoked: z.boolean() }) },
  receiptsList: {
    request: z.strictObject({ afterSeq: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(1000).optional(), runId: text(256).optional() }),
    response: z.strictObject({ receipts: z.array(receiptView) }),
  },
  auditVerify: {
    request: z.strictObject({}),
    response: z.strictObject({ ok: z.boolean(), count: z.number().int().optional(), brokenAt: z.number().int().optional(), reason: text().optional() }),
  },
  permissionsTree: {
    request: z.strictObject({ dir: text() }),
    response: z.strictObject({ workspace: text(), dir: text(), entries: z.array(treeEntryView), truncated: z.boolean(), errors: z.array(text()) }),
  },
  permissionsExplain: {
    request: z.strictObject({ path: text() }),
    response: z.strictObject({ path: text(), level, winner: ruleMatchView.nullable(), matches: z.array(ruleMatchView), error: text().optional() }),
  },
  runsList: { request: z.strictObject({}), response: z.strictObject({ runs: z.array(runView) }) },
  /**
   * The renderer shows this run's terminal: from now on it receives the run's output and
   * acknowledges it. Returns the output so far that is held for replay (the newest part when it was long).
   */
  terminalOpen: { request: z.strictObject({ runId: id }), response: z.strictObject({ replay: z.string(), ended: z.boolean() }) },
  /** The renderer no longer shows this run's terminal: none of its output waits for this renderer. */
  terminalClose: { request: z.strictObject({ runId: id }), response: z.strictObject({}) },
  /** The renderer wrote `bytes` of a run's output to its terminal: flow control for the pty. */
  terminalAck: { request: z.strictObject({ runId: id, bytes: z.number().int().positive().max(1 << 30) }), response: z.strictObject({}) },
} as const;

export const events = {
  /** The main process says it is alive and what it serves; sent once per connection. */
  hello: z.strictObject({ host: z.enum(['electron', 'serve']), workspace: text().nullable() }),
  approvalsChanged: approvalsState,
  receiptAppended: receiptView,
  runStarted: runView,
  /** A permission layer file changed: trees and explanations are stale. */
  permissionsChanged: z.strictObject({ errors: z.array(text()) }),
  runOutput: z.strictObject({ runId: id, data: z.string() }),
  runEnded: z.strictObject({ runId: id }),
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
