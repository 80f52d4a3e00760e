/**
 * Contract dispatch: the one place where an incoming IPC message becomes a handler call.
 * Both transports (Electron's ipcMain and the headless host's WebSocket) go through here, after
 * their own sender check, so validation is identical in the app and in `nome serve`.
 *
 * Runtime: plain Node (main process and headless host).
 */
import {
  invokes,
  type Envelope,
  type InvokeName,
  type Request,
  type Response,
  IpcError,
  MAX_PAYLOAD_BYTES,
} from '../../shared/contract';

/** Who is calling: one renderer connection (an Electron webContents or a WebSocket). */
export interface Caller {
  connectionId: string;
}

export type Handlers = { [K in InvokeName]: (request: Request<K>, caller: Caller) => Promise<Response<K>> | Response<K> };

function isInvokeName(name: string): name is InvokeName {
  return Object.hasOwn(invokes, name);
}

function payloadBytes(payload: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(payload) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Validates `payload` for `name`, runs the handler and validates its answer. Never throws. */
export async function dispatch(handlers: Handlers, name: string, payload: unknown, caller: Caller): Promise<Envelope<unknown>> {
  if (!isInvokeName(name)) return fail('unknown-channel', `unknown IPC channel "${name.slice(0, 80)}"`);
  if (payloadBytes(payload) > MAX_PAYLOAD_BYTES) return fail('bad-request', `${name}: payload larger than ${MAX_PAYLOAD_BYTES} bytes`);
  const parsed = invokes[name].request.safeParse(payload);
  if (!parsed.success) return fail('bad-request', `${name}: ${describeIssues(parsed.error.issues)}`);
  try {
    const handler = handlers[name] as (request: unknown, caller: Caller) => unknown;
    const value = await handler(parsed.data, caller);
    const checked = invokes[name].response.safeParse(value);
    if (!checked.success) return fail('failed', `${name}: the main process produced an invalid response`);
    return { ok: true, value: checked.data };
  } catch (error) {
    if (error instanceof IpcError) return fail(error.code, error.message);
    return fail('failed', `${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function fail(code: IpcError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'payload'}: ${issue.message}`)
    .join('; ');
}
