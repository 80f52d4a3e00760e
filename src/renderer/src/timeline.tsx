/**
 * The Timeline: receipts as they are appended, newest first, with a kind filter and the chain's
 * status. (A first version: it holds the newest 500 receipts.)
 *
 * Runtime: renderer.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { ReceiptView } from '../../shared/contract';
import { useNome } from './nome';
import { errorText, LoadError } from './LoadError';

const KEEP = 500;

function summary(r: ReceiptView): string {
  const p = r.payload as Record<string, unknown>;
  switch (r.kind) {
    case 'tool.call':
      return `${String(p.tool)}: ${String((p.request as { command?: string })?.command ?? '')} → ${String((p.decision as { verdict?: string })?.verdict)}`;
    case 'approval.answered':
      return `${String(p.answer)} by ${JSON.stringify(p.provenance)}${p.reason ? ` (${String(p.reason)})` : ''}`;
    case 'command.exit':
      return `exit ${String(p.exitCode)}${p.signal ? ` signal ${String(p.signal)}` : ''}, ${p.confined ? 'confined' : 'not confined'}, output ${String(p.outputSha256).slice(0, 12)}…`;
    case 'run.ended':
      return `${String(p.outcome)}`;
    default:
      return JSON.stringify(p).slice(0, 160);
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
