/**
 * The receipt contract: the closed set of receipt kinds and the shape of each payload. The audit
 * store validates every append against it; the renderer and evidence readers type receipts by it.
 *
 * Each schema names the fields the spine relies on and lets further JSON fields through
 * (`catchall(z.json())`), so the supervisor can add context without a schema change while the
 * store still refuses anything that is not plain JSON (no undefined, NaN, functions, Dates).
 *
 * Runtime: shared (main, renderer, CLI). No Node, no Electron.
 */
import { z } from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');
/**
 * Any JSON value, checked at runtime, typed `unknown` for callers (the request "as received" is
 * whatever the client sent; readers cast it to what they expect).
 */
const jsonValue = z.json();
const json = z.custom<unknown>((value) => jsonValue.safeParse(value).success, 'expected a JSON value');
// Extra fields: any JSON value; an undefined one is accepted and left out, as JSON.stringify would.
const extra = json.optional();
const open = <T extends z.ZodRawShape>(shape: T) => z.object(shape).catchall(extra);

/** Who or what made a decision: a user (who), a rule (which), the policy default, or the timeout. */
export const provenanceSchema = z.discriminatedUnion('by', [
  z.object({ by: z.literal('user'), who: z.string().min(1) }).catchall(extra),
  z.object({ by: z.literal('rule'), rule: z.string().min(1) }).catchall(extra),
  z.object({ by: z.literal('policy-default') }).catchall(extra),
  z.object({ by: z.literal('timeout') }).catchall(extra),
]);

export const decisionSchema = open({
  verdict: z.enum(['allow', 'ask', 'deny']),
  /** The rule that decided, or null when the policy default did. */
  rule: z.string().nullable(),
  policyVersion: z.string().min(1),
  reasons: z.array(json).optional(),
});

export const payloadSchemas = {
  'run.started': open({
    workspace: z.string(),
    agent: z.string().nullable().optional(),
    client: z.string().nullable().optional(),
  }),
  'run.ended': open({
    outcome: z.enum(['ok', 'failed', 'denied', 'timeout', 'cancelled', 'error']),
    exitCode: z.number().int().nullable().optional(),
    /** Why it ended without running, in NOME's words (a failure to launch, a view no longer complete). */
    reason: z.string().optional(),
  }),
  'tool.call': open({
    tool: z.string().min(1),
    /** The request exactly as received from the client. */
    request: json,
    /** The parsed segments (e.g. the shell pipeline's commands) the policy judged. */
    segments: z.array(json),
    decision: decisionSchema,
  }),
  'approval.requested': open({
    approvalId: z.string().min(1),
    timeoutMs: z.number().int().nonnegative(),
  }),
  'approval.answered': open({
    approvalId: z.string().min(1),
    answer: z.enum(['approve-once', 'approve-session', 'always', 'deny']),
    provenance: provenanceSchema,
    reason: z.string().nullable().optional(),
  }),
  'command.exit': open({
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    durationMs: z.number().nonnegative(),
    outputSha256: sha256Hex,
    outputBytes: z.number().int().nonnegative().optional(),
    outputComplete: z.boolean().optional(),
    confined: z.boolean(),
    confinement: z.string().optional(),
    timedOut: z.boolean().optional(),
    cancelled: z.boolean().optional(),
    /** What the run made that git would obey and no read-only bind could cover, removed when it ended. */
    removed: z.array(z.object({ path: z.string(), why: z.string() })).optional(),
  }),
  artifact: open({
    path: z.string().min(1),
    /** sha256 of the file, or of its first `hashedBytes` bytes when it was larger than NOME hashes. */
    sha256: sha256Hex,
    bytes: z.number().int().nonnegative().optional(),
    /** Present only when the digest covers less than the whole file (the cap). */
    hashedBytes: z.number().int().nonnegative().optional(),
  }),
  'policy.snapshot': open({
    layer: z.string().min(1),
    path: z.string().nullable(),
    /** sha256 of the layer file's bytes; null when the file is absent. */
    sha256: sha256Hex.nullable(),
    content: json.optional(),
  }),
  'key.event': open({
    event: z.enum(['created', 'rotated', 'revoked', 'used']),
    keyId: z.string().min(1),
  }),
  'token.event': open({
    event: z.enum(['issued', 'revoked', 'rejected']),
    /** An identifier or hash of the token, never the token itself. */
    tokenId: z.string().min(1),
  }),
} as const;

export type ReceiptKind = keyof typeof payloadSchemas;
export const RECEIPT_KINDS = Object.keys(payloadSchemas) as ReceiptKind[];
export const receiptKindSchema = z.enum(RECEIPT_KINDS as [ReceiptKind, ...ReceiptKind[]]);

/** The payload a caller passes for a kind (input side: optional fields may be left out). */
export type PayloadInput<K extends ReceiptKind> = z.input<(typeof payloadSchemas)[K]>;
export type Payload<K extends ReceiptKind> = z.output<(typeof payloadSchemas)[K]>;

/** Validate a payload for its kind; throws a readable error naming the kind. */
export function parsePayload<K extends ReceiptKind>(kind: K, payload: unknown): Payload<K> {
  const schema = payloadSchemas[kind] as unknown as z.ZodType<Payload<K>>;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new TypeError(`invalid ${kind} receipt payload: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
