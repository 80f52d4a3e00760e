/**
 * Approvals: the live queue of operations waiting for a person, and the session grants that
 * "approve for this session" creates. No answer before the timeout is a deny with reason `timeout`.
 *
 * The queue is in memory by design: a pending approval belongs to a client connection that is
 * waiting for it, and every request and answer is also a receipt in the audit store, so nothing
 * about a decision is lost when the process goes away.
 *
 * Runtime: plain Node.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { ApprovalView } from '../../shared/contract';
import type { AlwaysOffer } from './standing';

export type ApprovalDetails = ApprovalView['details'];

export { alwaysOffer, addStandingApproval, loadStandingApprovals, standingApprovalFor, NEVER_ALWAYS, type AlwaysOffer, type StandingApproval } from './standing';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 10 * 60 * 1000;

export type ApprovalAnswer = 'approve-once' | 'approve-session' | 'always' | 'deny';

/** Who or what decided; mirrors the audit store's provenance. */
export type Provenance =
  | { by: 'user'; who: string }
  | { by: 'rule'; rule: string }
  | { by: 'policy-default' }
  | { by: 'timeout' };

export interface PendingApproval {
  id: string;
  runId: string;
  /** The agent session the request came from; session grants are scoped to it. */
  sessionId: string;
  tool: string;
  /** What the agent asked for, verbatim (the shell command, or the tool's target). */
  subject: string;
  /** Everything the dialog shows about why (tier, reasons with spans, files and levels, workspace, agent): the IPC contract's shape. */
  details: ApprovalDetails;
  /** The grant key a session approval would cover: exactly this request, nothing wider. */
  grantKey: string;
  /** Whether "always" is offered, with the preview of exactly what it would allow (or why not). */
  always: AlwaysOffer;
  createdAt: number;
  expiresAt: number;
}

export interface ApprovalOutcome {
  approved: boolean;
  answer: ApprovalAnswer | 'timeout' | 'cancelled';
  reason: string | null;
  provenance: Provenance;
}

export interface SessionGrant {
  id: string;
  sessionId: string;
  tool: string;
  grantKey: string;
  subject: string;
  grantedBy: string;
  grantedAt: number;
}

export class ApprovalError extends Error {}

function reportListenerError(error: unknown): void {
  process.stderr.write(`nome: an approvals listener failed: ${error instanceof Error ? error.message : String(error)}\n`);
}

interface Waiter {
  approval: PendingApproval;
  resolve: (outcome: ApprovalOutcome) => void;
  timer: NodeJS.Timeout;
}

export class ApprovalQueue {
  private readonly waiting = new Map<string, Waiter>();
  private readonly grants = new Map<string, SessionGrant>();
  private readonly events = new EventEmitter();

  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  }

  /** Queues a request; `outcome` settles on an answer, the timeout, or `cancel`. */
  request(input: Omit<PendingApproval, 'id' | 'createdAt' | 'expiresAt'>): { approval: PendingApproval; outcome: Promise<ApprovalOutcome> } {
    const now = Date.now();
    const approval: PendingApproval = { ...input, id: randomUUID(), createdAt: now, expiresAt: now + this.timeoutMs };
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      const timer = setTimeout(
        () => this.settle(approval.id, { approved: false, answer: 'timeout', reason: 'timeout', provenance: { by: 'timeout' } }),
        this.timeoutMs,
      );
      timer.unref?.();
      this.waiting.set(approval.id, { approval, resolve, timer });
    });
    this.changed();
    return { approval, outcome };
  }

  pending(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.approval).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** A person's answer. Throws ApprovalError for an unknown or already settled id. */
  answer(id: string, answer: ApprovalAnswer, by: { who: string; reason?: string | null }): ApprovalOutcome {
    const waiter = this.waiting.get(id);
    if (!waiter) throw new ApprovalError(`no pending approval ${id} (answered, timed out, or never asked)`);
    if (answer === 'always' && !waiter.approval.always.offered) throw new ApprovalError(`"always" is ${waiter.approval.always.text}`);
    if (answer === 'approve-session') {
      const { approval } = waiter;
      const grant: SessionGrant = {
        id: randomUUID(),
        sessionId: approval.sessionId,
        tool: approval.tool,
        grantKey: approval.grantKey,
        subject: approval.subject,
        grantedBy: by.who,
        grantedAt: Date.now(),
      };
      this.grants.set(grant.id, grant);
    }
    const outcome: ApprovalOutcome = {
      approved: answer !== 'deny',
      answer,
      reason: answer === 'deny' ? (by.reason?.trim() || 'denied by the user') : null,
      provenance: { by: 'user', who: by.who },
    };
    this.settle(id, outcome);
    return outcome;
  }

  /** The client went away: the request is moot. */
  cancel(id: string, reason: string): void {
    this.settle(id, { approved: false, answer: 'cancelled', reason, provenance: { by: 'policy-default' } });
  }

  /** The session grant covering this request, if a person gave one. */
  grantFor(sessionId: string, tool: string, grantKey: string): SessionGrant | undefined {
    for (const grant of this.grants.values()) {
      if (grant.sessionId === sessionId && grant.tool === tool && grant.grantKey === grantKey) return grant;
    }
    return undefined;
  }

  sessionGrants(): SessionGrant[] {
    return [...this.grants.values()].sort((a, b) => a.grantedAt - b.grantedAt);
  }

  revokeGrant(id: string): boolean {
    const removed = this.grants.delete(id);
    if (removed) this.changed();
    return removed;
  }

  /**
   * Called after every change. A listener that throws (a renderer's broadcast, say) is reported to
   * `onListenerError` and never reaches the request, answer or timeout that caused the change.
   */
  onChange(listener: () => void, onListenerError: (error: unknown) => void = reportListenerError): () => void {
    const safe = () => {
      try {
        listener();
      } catch (error) {
        onListenerError(error);
      }
    };
    this.events.on('change', safe);
    return () => this.events.off('change', safe);
  }

  /** Settles every waiter as cancelled (shutdown). */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.cancel(id, 'NOME is shutting down');
  }

  private settle(id: string, outcome: ApprovalOutcome): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
    waiter.resolve(outcome);
    this.changed();
  }

  private changed(): void {
    this.events.emit('change');
  }
}
