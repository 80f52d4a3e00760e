/**
 * The audit store: the tenant's append-only, hash-chained receipts (DESIGN.md, "Audit store").
 * Never imports telemetry (lint-enforced).
 *
 * Runtime: plain Node.
 */
export {
  openAuditStore,
  verifyDatabase,
  auditDatabasePath,
  assertTenant,
  type AuditStore,
  type AppendInput,
  type Receipt,
  type ReceiptOf,
  type ListOptions,
  type VerifyResult,
  type ReceiptListener,
} from './store';
export { RECEIPT_KINDS, receiptKindSchema, parsePayload, type ReceiptKind, type Payload, type PayloadInput } from '../../shared/receipts';
export { GENESIS_HASH, canonicalJson, receiptHash, receiptHashFromText, type ReceiptBody } from './chain';
