/**
 * The live approval dialog and the Approvals screen. The dialog is a native modal <dialog>
 * (focus trapped, page inert); its approve buttons arm only after a short delay so that a
 * keystroke meant for somewhere else cannot approve.
 *
 * Runtime: renderer.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ApprovalView, GrantView } from '../../shared/contract';
import { printable } from '../../shared/printable';
import { useNome } from './nome';
import { errorText, LoadError } from './LoadError';
import { highlight } from './spans';

export const ARM_DELAY_MS = 1200;

export function useApprovals(): { pending: ApprovalView[]; grants: GrantView[]; error: string | null } {
  const nome = useNome();
  const [state, setState] = useState<{ pending: ApprovalView[]; grants: GrantView[] }>({ pending: [], grants: [] });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const off = nome.on.approvalsChanged((s) => {
      setState(s);
      setError(null);
    });
    nome.approvalsList({}).then(
      (s) => live && setState(s),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
      off();
    };
  }, [nome]);
  return { ...state, error };
}

function Command({ approval }: { approval: ApprovalView }): ReactNode {
  return (
    <pre className="command" aria-label="Command">
      {highlight(approval.subject, approval.details.reasons).map((piece, i) =>
        piece.tier ? (
          <mark key={i} className={`tier-${piece.tier}`} title={printable(piece.reasons.join('\n'), { multiline: true })}>
            {printable(piece.text, { multiline: true })}
          </mark>
        ) : (
          <span key={i}>{printable(piece.text, { multiline: true })}</span>
        ),
      )}
    </pre>
  );
}

export function ApprovalDialog({ approval }: { approval: ApprovalView }): ReactNode {
  const nome = useNome();
  const dialog = useRef<HTMLDialogElement>(null);
  const [armed, setArmed] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    setArmed(false);
    const timer = setTimeout(() => setArmed(true), ARM_DELAY_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearTimeout(timer);
      clearInterval(tick);
    };
  }, [approval.id]);

  const answer = (kind: 'approve-once' | 'approve-session' | 'always' | 'deny') => {
    setError(null);
    nome.approvalsAnswer({ id: approval.id, answer: kind, reason: kind === 'deny' ? reason || null : null }).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  const d = approval.details;
  const secondsLeft = Math.max(0, Math.round((approval.expiresAt - now) / 1000));

  return (
    <dialog ref={dialog} className="approval" aria-labelledby="approval-title" onCancel={(e) => e.preventDefault()}>
      <h2 id="approval-title">
        Approve this {approval.tool} command? <span className={`badge tier-${d.tier}`}>{d.tier}</span>
      </h2>
      <Command approval={approval} />
      <dl className="facts">
        <dt>Workspace</dt>
        <dd>{d.workspace}</dd>
        <dt>Agent</dt>
        <dd>{d.agent ?? 'unknown'}</dd>
        <dt>Runs code it does not show</dt>
        <dd>{d.executesCode ? 'yes' : 'no'}</dd>
        <dt>Decided without you in</dt>
        <dd>{secondsLeft} s (then denied)</dd>
      </dl>
      <h3>Why NOME asks</h3>
      <ul className="reasons">
        {d.reasons
          .filter((r) => r.tier !== 'read')
          .map((r, i) => (
            <li key={i}>
              <span className={`badge tier-${r.tier}`}>{r.tier}</span> {printable(r.text)} <code>{r.rule}</code>
            </li>
          ))}
        {d.why
          .filter((w) => !d.reasons.some((r) => w.endsWith(r.text)))
          .map((w, i) => (
            <li key={`w${i}`}>{printable(w)}</li>
          ))}
      </ul>
      {d.files.length > 0 && (
        <table className="files">
          <caption>Files</caption>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Access</th>
              <th scope="col">Level</th>
            </tr>
          </thead>
          <tbody>
            {d.files.map((f, i) => (
              <tr key={i}>
                <td>{printable(f.path)}</td>
                <td>{f.access}</td>
                <td>{f.level}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="always-preview" id="always-preview">
        <strong>Always:</strong> {printable(approval.always.text)}
      </p>
      <label className="reason">
        Reason for the agent (if you deny)
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1024} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="deny" onClick={() => answer('deny')}>
          Deny
        </button>
        {approval.always.offered && (
          <button type="button" disabled={!armed} aria-describedby="always-preview" onClick={() => answer('always')}>
            Always allow
          </button>
        )}
        <button type="button" disabled={!armed} onClick={() => answer('approve-session')}>
          Approve for this session
        </button>
        <button type="button" className="primary" disabled={!armed} onClick={() => answer('approve-once')}>
          Approve once
        </button>
      </div>
    </dialog>
  );
}

/** Shows the oldest waiting approval as a modal, whatever screen is open. */
export function ApprovalHost(): ReactNode {
  const { pending } = useApprovals();
  const first = pending[0];
  return first ? <ApprovalDialog key={first.id} approval={first} /> : null;
}

export function ApprovalsScreen(): ReactNode {
  const nome = useNome();
  const { pending, grants, error } = useApprovals();
  return (
    <>
      <LoadError what="the approvals" error={error} />
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Waiting</h2>
        {pending.length === 0 ? (
          <p className="placeholder">Nothing is waiting for your decision.</p>
        ) : (
          <ul>
            {pending.map((a) => (
              <li key={a.id}>
                <code>{printable(a.subject)}</code> ({a.details.tier})
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="grants-title">
        <h2 id="grants-title">Approved for this session</h2>
        {grants.length === 0 ? (
          <p className="placeholder">No session approvals.</p>
        ) : (
          <ul>
            {grants.map((g) => (
              <li key={g.id}>
                <code>{printable(g.subject)}</code> by {printable(g.grantedBy)}{' '}
                <button type="button" onClick={() => void nome.grantsRevoke({ id: g.id })}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
