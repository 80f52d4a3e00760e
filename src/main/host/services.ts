/**
 * The composition root of NOME's main-process services under plain Node. Electron's shell and the
 * headless host both call `createServices` and then only differ in how messages reach `handlers`
 * and how events reach the renderer.
 *
 * Runtime: plain Node.
 */
import os from 'node:os';
import type { z } from 'zod';
import { events as eventSchemas, IpcError, type EventName, type EventPayload } from '../../shared/contract';
import { openAuditStore, type Receipt } from '../audit';
import { ApprovalError, ApprovalQueue } from '../approvals';
import { createPermissionGateway, fileTree, watchLayers, type PermissionGateway } from '../permissions';
import { gatewayAddress, method, RpcError, RPC_ERRORS, startGateway, TokenStore, type CallContext, type Gateway, type Method } from '../gateway';
import { gatewayMethods, type GatewayMethod, type GatewayResult } from '../../shared/gateway';
import { createPolicyEngine } from '../policy';
import { createSupervisor } from '../supervisor';
import { createTelemetry } from '../telemetry';
import type { Handlers } from './dispatch';
import { createDiagnostics, stderrDiagnostics } from '../diagnostics';
import { TerminalHub } from './terminals';
import { APP_VERSION } from './version';

export interface HostContext {
  host: 'electron' | 'serve';
  /** The workspace the UI opened with, when one was given. */
  workspace: string | null;
  /** NOME's data dir (see paths.ts `dataDir`). */
  dataDir: string;
  /** Versions of the runtime, filled in by the composition root that knows them. */
  versions: { node: string; electron: string | null; chrome: string | null };
  /** The gateway's address; defaults to the socket in the data dir. */
  gatewayAddress?: string;
  approvalTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Tenant until the identity issue lands. */
export const LOCAL_TENANT = 'local';

export type EventSink = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

export interface Services {
  handlers: Handlers;
  /** Connects a renderer: it receives every event from now on. Returns the disconnect. */
  attach(connectionId: string, send: (name: EventName, payload: unknown) => void): () => void;
  /** What a newly connected renderer is told first. */
  hello(): EventPayload<'hello'>;
  gateway: Gateway;
  close(): Promise<void>;
}

const toReceiptView = (r: Receipt) => ({ ...r, payload: r.payload as z.core.util.JSONType });

/** A gateway method as the contract (src/shared/gateway.ts) defines it: scope, params and result checked by the server. */
function contractMethod<M extends GatewayMethod>(
  name: M,
  run: (params: z.output<(typeof gatewayMethods)[M]['params']>, call: CallContext) => Promise<GatewayResult<M>>,
): Method {
  const entry = gatewayMethods[name];
  return method(entry.scope, entry.params, run as (params: unknown, call: CallContext) => Promise<unknown>, entry.result);
}

export async function createServices(ctx: HostContext): Promise<Services> {
  const env = ctx.env ?? process.env;
  const listeners = new Map<string, (name: EventName, payload: unknown) => void>();
  // A broadcast never throws into the producer (the approval queue, the audit store, a run): what
  // does not fit the contract is reported with where it failed, and the renderers miss that event.
  const diagnostics = await createDiagnostics({ dataDir: ctx.dataDir }).catch((error: unknown) => {
    process.stderr.write(`nome: the diagnostic log cannot be opened (${error instanceof Error ? error.message : String(error)}); writing to stderr\n`);
    return stderrDiagnostics;
  });
  const broadcast: EventSink = (name, payload) => {
    const checked = eventSchemas[name].safeParse(payload);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      diagnostics.warn('event.invalid', `event ${name} does not fit the contract; not sent`, { name, at: issue?.path.join('.') || '(root)', issue: issue?.message ?? 'invalid' });
      return;
    }
    for (const send of listeners.values()) {
      try {
        send(name, checked.data);
      } catch (error) {
        diagnostics.warn('event.send_failed', `sending ${name} to a renderer failed: ${error instanceof Error ? error.message : String(error)}`, { name });
      }
    }
  };

  const audit = openAuditStore({
    dataDir: ctx.dataDir,
    tenant: LOCAL_TENANT,
    onListenerError: (error) => diagnostics.warn('receipt.listener_failed', `a receipt subscriber failed: ${error instanceof Error ? error.message : String(error)}`),
  });
  const approvals = new ApprovalQueue({ timeoutMs: ctx.approvalTimeoutMs });
  const terminals = new TerminalHub();
  const policy = await createPolicyEngine();
  // Opt-in only (NOME_TELEMETRY=1); counts and latencies in its own store, apart from the audit store.
  const telemetry = createTelemetry({ dataDir: ctx.dataDir, enabled: env.NOME_TELEMETRY === '1' });
  telemetry.count('app.started');
  const supervisor = createSupervisor({
    dataDir: ctx.dataDir,
    audit,
    approvals,
    policy,
    env,
    telemetry,
    onRunEvent: (event) => {
      if (event.kind === 'started') terminals.started({ runId: event.runId, command: event.data ?? '', workspace: event.workspace ?? '', startedAt: Date.now() });
      else if (event.kind === 'output') return terminals.deliver(event.runId, event.data ?? '');
      else terminals.ended(event.runId);
      return undefined;
    },
  });

  const approvalsState = () => ({ pending: approvals.pending(), grants: approvals.sessionGrants() });
  const unsubscribeApprovals = approvals.onChange(
    () => broadcast('approvalsChanged', approvalsState()),
    (error) => diagnostics.warn('listener.failed', `an approvals listener failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  const unsubscribeAudit = audit.subscribe((receipt) => broadcast('receiptAppended', toReceiptView(receipt)));

  const tokens = new TokenStore(ctx.dataDir);
  // The local CLI's agent token acts for the workspace the host opened; its approver token answers.
  for (const { issued } of [tokens.ensureLocalClientToken(ctx.workspace ? [ctx.workspace] : []), tokens.ensureLocalApproverToken()]) {
    if (issued) audit.append({ runId: null, kind: 'token.event', payload: { event: 'issued', tokenId: issued.id, name: issued.name, scope: issued.scope, workspaces: issued.workspaces } });
  }
  const userName = (() => {
    try {
      return os.userInfo().username;
    } catch {
      return 'local user';
    }
  })();

  const gateway = await startGateway({
    address: ctx.gatewayAddress ?? gatewayAddress(ctx.dataDir, null, env),
    tokens,
    onRejectedToken: (reason) => audit.append({ runId: null, kind: 'token.event', payload: { event: 'rejected', tokenId: reason } }),
    onForbidden: (client, reason) => audit.append({ runId: null, kind: 'token.event', payload: { event: 'rejected', tokenId: client.id, name: client.name, reason } }),
    onInvalidResult: (name, issue) => diagnostics.warn('event.invalid', `gateway method ${name} produced a result that does not fit the contract; not sent`, { name, issue }),
    methods: {
      exec: contractMethod('exec', async (params, call) => {
        // An agent token acts only for the workspaces it was issued for.
        if (!TokenStore.mayUse(call.client, params.workspace)) {
          audit.append({ runId: null, kind: 'token.event', payload: { event: 'rejected', tokenId: call.client.id, name: call.client.name, reason: 'workspace not bound to this token' } });
          throw new RpcError(RPC_ERRORS.forbidden, `forbidden: this token was not issued for the workspace ${params.workspace}`);
        }
        return supervisor.handle(
          {
            tool: 'shell',
            command: params.command,
            workspace: params.workspace,
            cwd: params.cwd ?? undefined,
            sessionId: params.sessionId,
            agent: params.agent ?? null,
            client: call.client.name,
            timeoutMs: params.timeoutMs ?? undefined,
          },
          {
            output: (data) => call.notify('exec.output', { data }),
            approvalPending: (approval) => void call.notify('exec.approval', { approvalId: approval.id }),
            signal: call.signal,
          },
        );
      }),
      'approvals.list': contractMethod('approvals.list', async () => ({ pending: approvals.pending(), grants: approvals.sessionGrants() })),
      'approvals.answer': contractMethod('approvals.answer', async (params, call) => {
        try {
          return approvals.answer(params.id, params.answer, { who: `${userName} (cli: ${call.client.name})`, reason: params.reason ?? null });
        } catch (error) {
          if (error instanceof ApprovalError) throw new RpcError(RPC_ERRORS.invalidParams, error.message);
          throw error;
        }
      }),
      'tokens.issue': contractMethod('tokens.issue', async (params) => {
        let issued;
        try {
          issued = tokens.issue(params.name, 'agent', params.workspaces);
        } catch (error) {
          throw new RpcError(RPC_ERRORS.invalidParams, error instanceof Error ? error.message : String(error));
        }
        audit.append({ runId: null, kind: 'token.event', payload: { event: 'issued', tokenId: issued.record.id, name: issued.record.name, scope: 'agent', workspaces: issued.record.workspaces } });
        return { token: issued.token, id: issued.record.id, workspaces: issued.record.workspaces };
      }),
      'tokens.list': contractMethod('tokens.list', async () => ({
        tokens: tokens.list().map(({ sha256: _hash, ...record }) => record),
      })),
      'tokens.revoke': contractMethod('tokens.revoke', async (params) => {
        const revoked = tokens.revoke(params.id);
        if (revoked) audit.append({ runId: null, kind: 'token.event', payload: { event: 'revoked', tokenId: params.id } });
        return { revoked };
      }),
    } satisfies Record<GatewayMethod, Method>,
  });

  // The Permissions screen's view of the open workspace, reloaded live when a layer file changes.
  let permissions: PermissionGateway | null = null;
  let stopWatching: (() => void) | null = null;
  if (ctx.workspace) {
    permissions = createPermissionGateway({ workspace: ctx.workspace, env });
    const watcher = watchLayers(permissions, () => broadcast('permissionsChanged', { errors: permissions?.errors ?? [] }), {
      onListenerError: (error) => diagnostics.warn('listener.failed', `a layer watcher listener failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    stopWatching = () => watcher.close();
  }
  const openWorkspace = (): PermissionGateway => {
    if (!permissions) throw new IpcError('bad-request', 'no workspace is open (start with --workspace DIR)');
    return permissions;
  };

  const handlers: Handlers = {
    ping: ({ nonce }) => ({ nonce, receivedAt: Date.now() }),
    version: () => ({ app: APP_VERSION, host: ctx.host, ...ctx.versions }),
    approvalsList: () => approvalsState(),
    approvalsAnswer: ({ id, answer, reason }) => {
      try {
        approvals.answer(id, answer, { who: `${userName} (ui)`, reason: reason ?? null });
        return { answered: true };
      } catch (error) {
        if (error instanceof ApprovalError) throw new IpcError('bad-request', error.message);
        throw error;
      }
    },
    grantsRevoke: ({ id }) => ({ revoked: approvals.revokeGrant(id) }),
    receiptsList: ({ afterSeq, limit, runId }) => ({ receipts: audit.list({ afterSeq, limit: limit ?? 200, runId }).map(toReceiptView) }),
    auditVerify: () => {
      const result = audit.verify();
      return result.ok ? { ok: true, count: result.count } : { ok: false, brokenAt: result.brokenAt, reason: result.reason };
    },
    permissionsTree: ({ dir }) => {
      const gateway = openWorkspace();
      try {
        return { workspace: gateway.workspace, ...fileTree(gateway, dir), errors: gateway.errors };
      } catch (error) {
        throw new IpcError('bad-request', error instanceof Error ? error.message : String(error));
      }
    },
    permissionsExplain: ({ path: file }) => openWorkspace().explain(file),
    runsList: () => ({ runs: terminals.list() }),
    terminalOpen: ({ runId }, caller) => terminals.open(caller.connectionId, runId),
    terminalClose: ({ runId }, caller) => {
      terminals.close(caller.connectionId, runId);
      return {};
    },
    terminalAck: ({ runId, bytes }, caller) => {
      terminals.ack(caller.connectionId, runId, bytes);
      return {};
    },
  };

  return {
    handlers,
    attach: (connectionId, send) => {
      listeners.set(connectionId, send);
      const detachTerminal = terminals.attach(connectionId, (name, payload) => send(name, payload));
      return () => {
        listeners.delete(connectionId);
        detachTerminal();
      };
    },
    hello: () => ({ host: ctx.host, workspace: ctx.workspace }),
    gateway,
    close: async () => {
      stopWatching?.();
      unsubscribeApprovals();
      unsubscribeAudit();
      approvals.close();
      supervisor.close();
      await gateway.close();
      audit.close();
      telemetry.close();
      await diagnostics.close();
    },
  };
}
