/**
 * The Timeline: receipts as they are appended, newest first, with a kind filter and the chain's
 * status. (A first version: it holds the newest 500 receipts.)
 *
 * Runtime: renderer.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { ReceiptView } from '../../shared/contract';
import { printable } from '../../shared/printable';
import type { Payload, ReceiptKind } from '../../shared/receipts';
import { useNome } from './nome';
import { errorText, LoadError } from './LoadError';

const KEEP = 500;

/** A receipt's payload typed by the receipt contract (the store validated it on append). */
const payloadOf = <K extends ReceiptKind>(r: ReceiptView, _kind: K) => r.payload as unknown as Payload<K>;

function summary(r: ReceiptView): string {
  switch (r.kind) {
    case 'tool.call': {
      const p = payloadOf(r, 'tool.call');
      return printable(`${p.tool}: ${String((p.request as { command?: string } | null)?.command ?? '')} → ${p.decision.verdict}`);
    }
    case 'approval.answered': {
      const p = payloadOf(r, 'approval.answered');
      const who = p.provenance.by === 'user' ? p.provenance.who : p.provenance.by === 'rule' ? p.provenance.rule : p.provenance.by;
      return printable(`${p.answer} by ${who}${p.reason ? ` (${p.reason})` : ''}`);
    }
    case 'command.exit': {
      const p = payloadOf(r, 'command.exit');
      const removed = p.removed?.length ? `, removed ${p.removed.map((x) => x.path).join(', ')}` : '';
      return printable(`exit ${String(p.exitCode)}${p.signal ? ` signal ${p.signal}` : ''}, ${p.confined ? 'confined' : 'not confined'}, output ${p.outputSha256.slice(0, 12)}…${p.outputComplete === false ? ' (incomplete)' : ''}${removed}`);
    }
    case 'run.ended': {
      const p = payloadOf(r, 'run.ended');
      return printable(`${p.outcome}${p.reason ? `: ${p.reason}` : ''}`);
    }
    default:
      return printable(JSON.stringify(r.payload).slice(0, 160));
  }
}

export function TimelineScreen(): ReactNode {
  const nome = useNome();
  const [receipts, setReceipts] = useState<ReceiptView[]>([]);
  const [kind, setKind] = useState('all');
  const [chain, setChain] = useState<string>('checking…');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    nome.receiptsList({ limit: 1000 }).then(
      (r) => live && setReceipts(r.receipts.slice(-KEEP)),
      (e: unknown) => live && setError(errorText(e)),
    );
    const off = nome.on.receiptAppended((r) => setReceipts((rs) => [...rs, r].slice(-KEEP)));
    nome.auditVerify({}).then(
      (v) => live && setChain(v.ok ? `intact (${v.count} receipts)` : `BROKEN at seq ${v.brokenAt}: ${v.reason}`),
      (e: unknown) => live && setChain(`unknown: ${String(e)}`),
    );
    return () => {
      live = false;
      off();
    };
  }, [nome]);
  const kinds = ['all', ...new Set(receipts.map((r) => r.kind))];
  const shown = receipts.filter((r) => kind === 'all' || r.kind === kind).reverse();
  return (
    <>
      <LoadError what="the receipts" error={error} />
      <p>
        Chain: <span data-testid="chain-status">{chain}</span>
      </p>
      <label>
        Kind{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value)}>
          {kinds.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      <table className="timeline">
        <caption>Receipts, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.seq} data-kind={r.kind}>
              <td>{r.seq}</td>
              <td>{new Date(r.ts).toLocaleTimeString()}</td>
              <td>{r.kind}</td>
              <td>{summary(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
