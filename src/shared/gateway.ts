/**
 * The gateway contract: every method an agent client (`nome exec`, and the hook and MCP adapters to
 * come) or the approver CLI may call over the gateway socket, with the token scope it needs, its
 * params and its result, and the notifications a call streams. The server validates params before
 * a method runs and results before they leave; clients import the types only (`import type`), so a
 * `nome exec` does not load zod.
 *
 * Runtime: shared (main, CLI). No Node, no Electron.
 */
import { z } from 'zod';
import { approvalView, grantView } from './contract';
import { provenanceSchema } from './receipts';

const path = z.string().min(1).max(4096);

export const runOutcome = z.object({
  runId: z.string(),
  verdict: z.enum(['allow', 'deny']),
  /** Why it was denied (`timeout` when no one answered in time) or could not run; null when it ran. */
  reason: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  confined: z.boolean().nullable(),
  outputSha256: z.string().nullable(),
  provenance: provenanceSchema,
});
export type RunOutcome = z.infer<typeof runOutcome>;

const tokenView = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), scope: z.enum(['agent', 'approver']), workspaces: z.array(z.string()) });

export const gatewayMethods = {
  exec: {
    scope: 'agent',
    params: z.strictObject({
      command: z.string().min(1).max(65_536),
      workspace: path,
      cwd: z.string().max(4096).nullable().optional(),
      agent: z.string().max(256).nullable().optional(),
      sessionId: z.string().min(1).max(256),
      timeoutMs: z.number().int().positive().nullable().optional(),
    }),
    result: runOutcome,
  },
  'approvals.list': {
    scope: 'approver',
    params: z.strictObject({}),
    result: z.object({ pending: z.array(approvalView), grants: z.array(grantView) }),
  },
  'approvals.answer': {
    scope: 'approver',
    params: z.strictObject({ id: z.string().max(128), answer: z.enum(['approve-once', 'approve-session', 'always', 'deny']), reason: z.string().max(1024).nullable().optional() }),
    result: z.object({ approved: z.boolean(), answer: z.string(), reason: z.string().nullable(), provenance: provenanceSchema }),
  },
  'tokens.issue': {
    scope: 'approver',
    params: z.strictObject({ name: z.string().min(1).max(128), workspaces: z.array(path).min(1).max(64) }),
    result: z.object({ token: z.string(), id: z.string(), workspaces: z.array(z.string()) }),
  },
  'tokens.list': { scope: 'approver', params: z.strictObject({}), result: z.object({ tokens: z.array(tokenView) }) },
  'tokens.revoke': { scope: 'approver', params: z.strictObject({ id: z.string().min(1).max(128) }), result: z.object({ revoked: z.boolean() }) },
} as const;

/** What a call streams before its result, each with the id of the call it belongs to. */
export const gatewayNotifications = {
  'exec.output': z.object({ call: z.union([z.number(), z.string()]), data: z.string() }),
  'exec.approval': z.object({ call: z.union([z.number(), z.string()]), approvalId: z.string() }),
} as const;

export type GatewayMethod = keyof typeof gatewayMethods;
export type GatewayResult<M extends GatewayMethod> = z.output<(typeof gatewayMethods)[M]['result']>;
export type GatewayNotification<N extends keyof typeof gatewayNotifications> = z.output<(typeof gatewayNotifications)[N]>;
