/**
 * `nome audit verify [--json] [--tenant T]` walks the receipt chain offline and reports the first
 * break; `nome audit tail [--json] [--tenant T]` prints receipts as they arrive.
 *
 * Runtime: plain Node.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { auditDatabasePath, openAuditStore, verifyDatabase, type Receipt } from '../../main/audit';
import { dataDir } from '../../main/host/paths';
import { printable, printableJson } from '../printable';
import { parse, UsageError } from '../usage';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, tenant: { type: 'string' }, from: { type: 'string' } });
  const tenant = values.tenant ?? 'local';
  const file = auditDatabasePath(dataDir(), tenant);
  const [sub] = positionals;
  if (sub === 'verify') {
    if (!existsSync(file)) {
      const result = { ok: true, count: 0, head: null, path: file };
      process.stdout.write(values.json ? `${printableJson(result)}\n` : `no receipts yet (${printable(file)})\n`);
      return 0;
    }
    const result = verifyDatabase(file);
    if (values.json) process.stdout.write(`${printableJson({ ...result, path: file })}\n`);
    else if (result.ok) process.stdout.write(`chain intact: ${result.count} receipts, head ${result.head}\n`);
    else process.stdout.write(`chain BROKEN at seq ${result.brokenAt}: ${printable(result.reason)}\n`);
    return result.ok ? 0 : 1;
  }
  if (sub === 'tail') {
    const store = openAuditStore({ dataDir: dataDir(), tenant });
    let after = values.from === undefined ? Math.max(0, store.head().seq - 10) : Number(values.from);
    const print = (r: Receipt) =>
      process.stdout.write(values.json ? `${printableJson(r)}\n` : `${r.seq}\t${r.ts}\t${r.kind}\t${r.runId ?? '-'}\t${printableJson(r.payload)}\n`);
    let stopped = false;
    process.once('SIGINT', () => (stopped = true));
    process.once('SIGTERM', () => (stopped = true));
    // Another process (the app or `nome serve`) appends: poll the WAL database for new rows.
    while (!stopped) {
      for (const receipt of store.list({ afterSeq: after, limit: 1000 })) {
        print(receipt);
        after = receipt.seq;
      }
      await sleep(250);
    }
    store.close();
    return 0;
  }
  throw new UsageError('usage: nome audit verify [--json] | nome audit tail [--json]');
}
