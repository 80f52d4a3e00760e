/**
 * The supervisor: the one path from a tool request to execution. policy → permissions → matrix →
 * approval → sandbox → receipts. Nothing runs that did not pass `handle`, and every receipt is
 * committed before the caller hears the result.
 *
 * Runtime: plain Node.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants as fsConstants, lstatSync, realpathSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AuditStore } from '../audit';
import type { Telemetry } from '../telemetry';
import { addStandingApproval, alwaysOffer, standingApprovalFor, type ApprovalQueue, type PendingApproval, type Provenance } from '../approvals';
import { readLayers, type LayerFile } from '../layers';
import type { PolicyEngine } from '../policy';
import { judgeShell, type Judgement as ShellJudgement } from './judge';
import { SandboxViews, type SandboxView } from './view';
import { runCommand, probeSandbox } from '../sandbox';
import { APP_VERSION } from '../host/version';
import type { RunOutcome } from '../../shared/gateway';
import { fitText } from '../../shared/contract';

export interface ShellRequest {
  tool: 'shell';
  command: string;
  workspace: string;
  /** Working directory; defaults to the workspace and must be inside it. */
  cwd?: string;
  /** The agent session; "approve for this session" grants are scoped to it. */
  sessionId: string;
  agent: string | null;
  /** Which client sent it (token name). */
  client: string;
  timeoutMs?: number;
}

export interface RunIo {
  /** Output for the client, in order. */
  output(chunk: string): void | Promise<void>;
  approvalPending?(approval: PendingApproval): void;
  /** Aborted when the client goes away: a pending approval is cancelled, a running command killed. */
  signal?: AbortSignal;
}

/** What a client hears back: the gateway contract's `exec` result (src/shared/gateway.ts). */
export type { RunOutcome } from '../../shared/gateway';

export interface Judgement extends ShellJudgement {
  policyVersion: string;
}

export interface RunEvent {
  runId: string;
  kind: 'started' | 'output' | 'ended';
  data?: string;
  workspace?: string;
}

const OUTCOME_COUNTS = {
  ok: 'run.completed',
  failed: 'run.failed',
  error: 'run.failed',
  denied: 'run.denied',
  timeout: 'run.timed_out',
  cancelled: 'run.cancelled',
} as const;

const DEFAULT_COMMAND_TIMEOUT_MS = 30 * 60 * 1000;
const UI_OUTPUT_CAP_BYTES = 64 * 1024 * 1024;

/** An artifact larger than this is hashed over its first ARTIFACT_HASH_CAP bytes, and its receipt says so. */
const ARTIFACT_HASH_CAP = 64 * 1024 * 1024;

/**
 * The digest of a file a run wrote, streamed in chunks (the read runs on libuv's threads, the
 * hashing a chunk at a time, so a 2 GB file never stalls the agents or the UI), up to `cap` bytes.
 * Null when it is not a regular file (opened non-blocking, so a FIFO cannot hang it).
 */
async function hashArtifact(file: string, cap: number = ARTIFACT_HASH_CAP): Promise<{ sha256: string; bytes: number; hashedBytes: number } | null> {
  const handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return null;
    const hash = createHash('sha256');
    let hashedBytes = 0;
    const limit = Math.min(stat.size, cap);
    if (limit > 0) {
      for await (const chunk of handle.createReadStream({ start: 0, end: limit - 1, autoClose: false, highWaterMark: 1 << 20 })) {
        hash.update(chunk as Buffer);
        hashedBytes += (chunk as Buffer).length;
      }
    }
    return { sha256: hash.digest('hex'), bytes: stat.size, hashedBytes };
  } finally {
    await handle.close();
  }
}

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The real path of a workspace (its lexical path when it does not exist: the run then fails to launch, and says so). */
function realWorkspace(workspace: string): string {
  const resolved = path.resolve(workspace);
  try {
    return realpathSync(resolved);
  } catch {
    return resolved;
  }
}

type EndRun = (outcome: 'ok' | 'failed' | 'denied' | 'timeout' | 'cancelled' | 'error', exitCode: number | null, reason?: string) => void;

export interface SupervisorOptions {
  dataDir: string;
  audit: AuditStore;
  approvals: ApprovalQueue;
  policy: PolicyEngine;
  env?: NodeJS.ProcessEnv;
  /** Opt-in product telemetry: counts and latencies only, never text. */
  telemetry?: Telemetry;
  /**
   * Called for every run event (the renderer's Sessions screen listens). For output, a returned
   * promise holds back the pty's flow-control acknowledgement until it settles.
   */
  onRunEvent?: (event: RunEvent) => void | Promise<void>;
  /** Artifacts larger than this are hashed over their first bytes only (default ARTIFACT_HASH_CAP). */
  artifactHashCap?: number;
}

export interface Supervisor {
  handle(request: ShellRequest, io: RunIo): Promise<RunOutcome>;
  /** Stops watching the workspaces' indexes. */
  close(): void;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { audit, approvals, policy, dataDir, telemetry } = options;
  const env = options.env ?? process.env;
  const home = env.HOME ?? os.homedir();
  const sandbox = probeSandbox();
  const views = new SandboxViews({ env, home, alwaysHidden: [dataDir] });
  const snapshots = new Map<string, string | null>();

  /**
   * One reading of the layer files for one request, and its version: the digest of exactly the
   * bytes that were read, which then decide everything (permissions, matrix, standing approvals,
   * the sandbox's view). A policy snapshot receipt records each layer file whose bytes changed.
   */
  function readPolicy(workspace: string): { layers: LayerFile[]; version: string } {
    const layers = readLayers(workspace, env);
    const parts: string[] = [APP_VERSION];
    for (const file of layers) {
      if (!snapshots.has(file.path) || snapshots.get(file.path) !== file.sha256) {
        snapshots.set(file.path, file.sha256);
        audit.append({
          runId: null,
          kind: 'policy.snapshot',
          payload: { layer: file.layer, path: file.path, sha256: file.sha256, ...(file.json === null ? {} : { content: file.json as never }), ...(file.error ? { error: file.error } : {}) },
        });
      }
      parts.push(`${file.layer}:${file.sha256 ?? '-'}`);
    }
    return { layers, version: createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16) };
  }

  /** The judgement, and the sandbox's view the run will get (null where there is no sandbox). */
  async function judge(request: ShellRequest, workspace: string): Promise<{ judgement: Judgement; view: SandboxView | null; layers: LayerFile[] }> {
    const { layers, version } = readPolicy(workspace);
    const view = sandbox.confined ? await views.forRun(workspace, version, layers) : null;
    const judgement = judgeShell(policy, {
      command: request.command,
      workspace,
      cwd: request.cwd,
      confined: sandbox.confined,
      env,
      home,
      layers,
      ...(view ? { sandboxView: view } : {}),
    });
    // A `sandbox` setting that could not be used is ignored (exposing nothing is the stricter reading), and said.
    const reasons = view ? [...judgement.reasons, ...view.errors.map((e) => `policy: ${e}`)] : judgement.reasons;
    return { judgement: { ...judgement, reasons, policyVersion: version }, view, layers };
  }

  /**
   * A run that starts always ends: whatever throws after `run.started` (a working directory that
   * is gone, a runner that cannot spawn, a receipt that cannot be written), the run gets its
   * `run.ended` and the client a reason in NOME's words.
   */
  async function handle(request: ShellRequest, io: RunIo): Promise<RunOutcome> {
    const runId = randomUUID();
    // The workspace as the file system resolves it: every decision, index and mount is about the
    // real directory, never about a symlink to it (whose own path would match no rule inside).
    const workspace = realWorkspace(request.workspace);
    audit.append({ runId, kind: 'run.started', payload: { workspace, agent: request.agent, client: request.client } });
    void options.onRunEvent?.({ runId, kind: 'started', data: request.command, workspace });
    telemetry?.count('run.started');
    let ended = false;
    const end: EndRun = (outcome, exitCode, reason) => {
      ended = true;
      audit.append({ runId, kind: 'run.ended', payload: { outcome, exitCode, ...(reason === undefined ? {} : { reason }) } });
      telemetry?.count(OUTCOME_COUNTS[outcome]);
      void options.onRunEvent?.({ runId, kind: 'ended' });
    };
    try {
      return await handleStarted(runId, workspace, request, io, end);
    } catch (error) {
      const reason = `NOME could not run this command: ${error instanceof Error ? error.message : String(error)}`;
      if (!ended) {
        try {
          end('error', null, reason);
        } catch {
          // The audit store itself failed: the client still hears why.
        }
      }
      return { runId, verdict: 'deny', reason, exitCode: null, signal: null, confined: null, outputSha256: null, provenance: { by: 'policy-default' } };
    }
  }

  async function handleStarted(runId: string, workspace: string, request: ShellRequest, io: RunIo, end: EndRun): Promise<RunOutcome> {

    let judgement: Judgement;
    let view: SandboxView | null;
    let layers: LayerFile[];
    try {
      const judgedAt = performance.now();
      ({ judgement, view, layers } = await judge(request, workspace));
      telemetry?.latency('policy.classify', performance.now() - judgedAt);
    } catch (error) {
      // Fail safe: a request we could not judge does not run.
      const reason = `NOME could not judge this request: ${error instanceof Error ? error.message : String(error)}`;
      end('error', null, reason);
      return { runId, verdict: 'deny', reason, exitCode: null, signal: null, confined: null, outputSha256: null, provenance: { by: 'policy-default' } };
    }
    const { classification } = judgement;
    audit.append({
      runId,
      kind: 'tool.call',
      payload: {
        tool: 'shell',
        request: { command: request.command, workspace, cwd: request.cwd ?? null, agent: request.agent, sessionId: request.sessionId },
        segments: classification.commands as never,
        decision: { verdict: judgement.verdict, rule: judgement.rule, policyVersion: judgement.policyVersion, reasons: judgement.reasons },
        tier: classification.tier,
        executesCode: classification.executesCode,
        files: judgement.files as never,
      },
    });

    // Whether a person was waited for: the sandbox's view is then taken again before the run.
    let waited = false;
    let provenance: Provenance = judgement.rule ? { by: 'rule', rule: judgement.rule } : { by: 'policy-default' };
    if (judgement.verdict === 'deny') {
      end('denied', null);
      return { runId, verdict: 'deny', reason: judgement.reasons.join('; ') || 'denied by policy', exitCode: null, signal: null, confined: null, outputSha256: null, provenance };
    }

    if (judgement.verdict === 'ask') {
      const grantKey = `${workspace}\0${request.command}`;
      const grant = approvals.grantFor(request.sessionId, 'shell', grantKey);
      const standing = grant ? null : standingApprovalFor(request.command, workspace, env, layers);
      if (grant) {
        provenance = { by: 'rule', rule: `session-grant:${grant.id}` };
        audit.append({ runId, kind: 'approval.answered', payload: { approvalId: grant.id, answer: 'approve-session', provenance, reason: null, grantedBy: grant.grantedBy } });
      } else if (standing) {
        provenance = { by: 'rule', rule: standing };
        audit.append({ runId, kind: 'approval.answered', payload: { approvalId: standing, answer: 'always', provenance, reason: null } });
      } else {
        const { approval, outcome } = approvals.request({
          runId,
          sessionId: request.sessionId,
          tool: 'shell',
          subject: request.command,
          grantKey,
          always: ((offer) => ({ ...offer, text: fitText(offer.text) }))(alwaysOffer(request.command, classification.commands, workspace)),
          // What the dialog shows is cut to fit the contract; the tool.call receipt keeps every text whole.
          details: {
            tier: classification.tier,
            executesCode: classification.executesCode,
            reasons: classification.reasons.map((r) => ({ ...r, rule: fitText(r.rule, 256), text: fitText(r.text) })),
            files: judgement.files.map((f) => ({ ...f, path: fitText(f.path), reason: fitText(f.reason) })),
            workspace: fitText(workspace),
            agent: request.agent === null ? null : fitText(request.agent, 256),
            why: judgement.reasons.map((w) => fitText(w)),
          },
        });
        audit.append({ runId, kind: 'approval.requested', payload: { approvalId: approval.id, timeoutMs: approvals.timeoutMs } });
        const onAbort = () => approvals.cancel(approval.id, 'the client went away');
        io.signal?.addEventListener('abort', onAbort, { once: true });
        io.approvalPending?.(approval);
        telemetry?.count('approval.requested');
        waited = true;
        const askedAt = performance.now();
        const answer = await outcome;
        telemetry?.latency('approval.wait', performance.now() - askedAt);
        telemetry?.count(answer.answer === 'approve-once' ? 'approval.approved_once' : answer.answer === 'approve-session' ? 'approval.approved_session' : answer.answer === 'always' ? 'approval.always' : answer.answer === 'timeout' ? 'approval.timed_out' : 'approval.denied');
        io.signal?.removeEventListener('abort', onAbort);
        provenance = answer.provenance;
        audit.append({
          runId,
          kind: 'approval.answered',
          payload: { approvalId: approval.id, answer: answer.approved ? (answer.answer as 'approve-once' | 'approve-session' | 'always') : 'deny', provenance, reason: answer.reason },
        });
        // The new rule lands in the user layer; the next judgement records it as a policy snapshot.
        if (answer.answer === 'always') addStandingApproval({ tool: 'shell', command: request.command, workspace }, env);
        if (!answer.approved) {
          end(answer.answer === 'timeout' ? 'timeout' : answer.answer === 'cancelled' ? 'cancelled' : 'denied', null);
          return { runId, verdict: 'deny', reason: answer.reason ?? 'denied', exitCode: null, signal: null, confined: null, outputSha256: null, provenance };
        }
      }
    }

    // After a person answered, the view is taken again: they may have taken minutes, and a protected
    // file made meanwhile must be masked too. When it can no longer be trusted, a command that was
    // allowed because the sandbox holds does not run. (Without a wait, the view was just taken.)
    if (view !== null && waited) {
      try {
        const now = readPolicy(workspace);
        view = await views.forRun(workspace, now.version, now.layers);
      } catch (error) {
        view = { ...view, complete: false, reason: error instanceof Error ? error.message : String(error) };
      }
      if (!view.complete && classification.executesCode) {
        const reason = `the sandbox can no longer enforce every permission level in the workspace (${view.reason}), so code this command runs would be unconfined`;
        end('denied', null, reason);
        return { runId, verdict: 'deny', reason, exitCode: null, signal: null, confined: null, outputSha256: null, provenance };
      }
    }
    const run = runCommand({
      command: request.command,
      cwd: path.resolve(workspace, request.cwd ?? '.'),
      workspace,
      env,
      timeoutMs: request.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      outputCapBytes: UI_OUTPUT_CAP_BYTES,
      network: false,
      hidePaths: view?.hidePaths ?? [],
      // Every hide path existed when the view was just taken: one that is gone now moved.
      missingHidden: 'refuse',
      readOnlyPaths: view?.readOnlyPaths,
      pinnedPaths: view?.pinnedPaths,
      privateAreas: view?.privateAreas,
      exposePaths: view?.exposePaths,
    });
    // A chunk is acknowledged to the pty only when the client and every renderer have taken it.
    run.onData((chunk) => {
      const bytes = Buffer.byteLength(chunk);
      void Promise.all([io.output(chunk), options.onRunEvent?.({ runId, kind: 'output', data: chunk })]).then(() => run.ack(bytes));
    });
    const onAbort = () => run.cancel();
    io.signal?.addEventListener('abort', onAbort, { once: true });
    const result = await run.result;
    io.signal?.removeEventListener('abort', onAbort);
    // What git would obey and no read-only bind could cover (it did not exist): made by the run, removed now.
    const removed: string[] = [];
    for (const planted of view?.mustNotAppear ?? []) {
      if (!lexists(planted)) continue;
      rmSync(planted, { recursive: true, force: true });
      removed.push(planted);
    }
    // A sandbox whose view is incomplete does not hold every level: the run counts as unconfined.
    const confined = result.confined && view !== null && view.complete;
    const confinement = result.confined && view !== null && !view.complete ? `${result.confinement}; levels not fully enforced: ${view.reason}` : result.confinement;
    telemetry?.latency('command.run', result.durationMs);
    telemetry?.count(confined ? 'run.confined' : 'run.unconfined');
    if (result.truncatedForUi) telemetry?.count('run.output_truncated');
    audit.append({
      runId,
      kind: 'command.exit',
      payload: {
        exitCode: result.exitCode,
        signal: result.signal,
        durationMs: result.durationMs,
        outputSha256: result.outputSha256,
        outputBytes: result.outputBytes,
        // False when the end marker was not read (killed, cancelled): the digest may not cover all output.
        outputComplete: result.outputComplete,
        confined,
        confinement,
        timedOut: result.timedOut,
        cancelled: result.cancelled,
        ...(removed.length > 0 ? { removed: removed.map((p) => ({ path: p, why: 'git would obey it, and the run may not create it' })) } : {}),
      },
    });
    for (const target of classification.files) {
      if (target.access !== 'write' || target.dynamic || target.glob) continue;
      const file = path.resolve(workspace, request.cwd ?? '.', target.path.replace(/^~(?=\/|$)/, home));
      let digest: Awaited<ReturnType<typeof hashArtifact>>;
      try {
        digest = await hashArtifact(file, options.artifactHashCap);
      } catch {
        continue; // Not written (or not readable): nothing to record.
      }
      if (digest) {
        const complete = digest.hashedBytes === digest.bytes;
        audit.append({ runId, kind: 'artifact', payload: { path: file, sha256: digest.sha256, bytes: digest.bytes, ...(complete ? {} : { hashedBytes: digest.hashedBytes }) } });
      }
    }
    end(result.timedOut ? 'timeout' : result.cancelled ? 'cancelled' : result.exitCode === 0 ? 'ok' : 'failed', result.exitCode);
    return {
      runId,
      verdict: 'allow',
      reason: null,
      exitCode: result.exitCode,
      signal: result.signal,
      confined,
      outputSha256: result.outputSha256,
      provenance,
    };
  }

  return { handle, close: () => views.close() };
}

export { judgeShell, type FileCheck, type JudgeInput } from './judge';
export { SandboxViews, type SandboxView } from './view';
