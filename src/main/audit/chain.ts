/**
 * The hash chain, independent of storage, so the evidence exporter and offline verifiers compute
 * exactly what the store computes.
 *
 *   body = { seq, ts, run_id, kind, payload, prev_hash }          (the receipt without `hash`)
 *   hash = hex( sha256( utf8(prev_hash) ‖ utf8(canonical(body)) ) )
 *
 * canonical = RFC 8785 JSON canonicalization; the genesis prev_hash is 64 zeros.
 *
 * Runtime: plain Node.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** A receipt as stored: column names as in the table (and as exported in log/receipts.jsonl). */
export interface ReceiptBody {
  seq: number;
  ts: string;
  run_id: string | null;
  kind: string;
  payload: unknown;
  prev_hash: string;
}

/** RFC 8785 canonical JSON text of a JSON value. Throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

export function receiptHash(body: ReceiptBody): string {
  return createHash('sha256').update(body.prev_hash, 'utf8').update(canonicalJson(body), 'utf8').digest('hex');
}

/**
 * The same hash as `receiptHash`, from a payload that is already canonical JSON text (as stored),
 * without re-serializing it. RFC 8785 orders the body's keys kind, payload, prev_hash, run_id,
 * seq, ts, and serializes strings and integers as JSON.stringify does.
 */
export function receiptHashFromText(seq: number, ts: string, runId: string | null, kind: string, payloadText: string, prevHash: string): string {
  const bodyText =
    `{"kind":${JSON.stringify(kind)},"payload":${payloadText},"prev_hash":${JSON.stringify(prevHash)},` +
    `"run_id":${JSON.stringify(runId)},"seq":${JSON.stringify(seq)},"ts":${JSON.stringify(ts)}}`;
  return createHash('sha256').update(prevHash, 'utf8').update(bodyText, 'utf8').digest('hex');
}
