/**
 * The Sessions screen: recent runs and a live terminal (xterm.js) for the selected one. The
 * terminal acknowledges each chunk after xterm has written it, which is what lets the pty pause
 * when the renderer falls behind.
 *
 * Runtime: renderer.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebglAddon } from '@xterm/addon-webgl';
import '@xterm/xterm/css/xterm.css';
import type { RunView } from '../../shared/contract';
import { errorText, LoadError } from './LoadError';
import { useNome } from './nome';

function useRuns(): { runs: RunView[]; error: string | null } {
  const nome = useNome();
  const [runs, setRuns] = useState<RunView[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    nome.runsList({}).then(
      (r) => live && setRuns(r.runs),
      (e: unknown) => live && setError(errorText(e)),
    );
    const offStart = nome.on.runStarted((run) => setRuns((rs) => [...rs.filter((r) => r.runId !== run.runId), run]));
    const offEnd = nome.on.runEnded(({ runId }) => setRuns((rs) => rs.map((r) => (r.runId === runId ? { ...r, ended: true } : r))));
    return () => {
      live = false;
      offStart();
      offEnd();
    };
  }, [nome]);
  return { runs, error };
}

function RunTerminal({ run }: { run: RunView }): ReactNode {
  const nome = useNome();
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const term = new Terminal({ convertEol: false, scrollback: 5000, disableStdin: true, fontSize: 13, screenReaderMode: true });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose()); // fall back to the DOM renderer
      term.loadAddon(webgl);
    } catch {
      // No WebGL here: xterm keeps its DOM renderer.
    }
    fit.fit();
    // Output arrives only once the run is open here (issue 11: no screen choice can stall a
    // command); what came before is in the replay the open returns. Events for the run cannot
    // precede that answer: the main process sends them only after it has opened the run.
    let open = true;
    const off = nome.on.runOutput(({ runId, data }) => {
      if (runId !== run.runId) return;
      term.write(data, () => void nome.terminalAck({ runId, bytes: new TextEncoder().encode(data).length }).catch(() => {}));
    });
    nome.terminalOpen({ runId: run.runId }).then(
      ({ replay }) => open && term.write(replay),
      (error: unknown) => open && term.write(`\r\n[NOME could not open this run's output: ${error instanceof Error ? error.message : String(error)}]\r\n`),
    );
    const onResize = () => fit.fit();
    window.addEventListener('resize', onResize);
    return () => {
      open = false;
      off();
      void nome.terminalClose({ runId: run.runId }).catch(() => {});
      window.removeEventListener('resize', onResize);
      term.dispose();
    };
  }, [nome, run.runId]);
  return <div className="run-terminal" ref={host} role="region" aria-label={`Output of ${run.command}`} />;
}

export function SessionsScreen(): ReactNode {
  const { runs, error } = useRuns();
  const [selected, setSelected] = useState<string | null>(null);
  const current = runs.find((r) => r.runId === selected) ?? runs.at(-1);
  if (error !== null) return <LoadError what="the runs" error={error} />;
  if (runs.length === 0) return <p className="placeholder">No runs yet. Commands agents run through NOME appear here.</p>;
  return (
    <div className="sessions">
      <ul className="runs" aria-label="Runs">
        {[...runs].reverse().map((r) => (
          <li key={r.runId}>
            <button type="button" aria-pressed={r.runId === current?.runId} onClick={() => setSelected(r.runId)}>
              <code>{r.command}</code> <span className="muted">{r.ended ? 'ended' : 'running'}</span>
            </button>
          </li>
        ))}
      </ul>
      {current && <RunTerminal key={current.runId} run={current} />}
    </div>
  );
}
