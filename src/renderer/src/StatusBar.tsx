/** Connection to the main process, its version, and a ping round trip. Runtime: renderer. */
import { useEffect, useState, type ReactNode } from 'react';
import type { Response } from '../../shared/contract';
import type { Bridge, ConnectionState } from './bridge';

const labels: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Disconnected',
};

export function StatusBar({ bridge }: { bridge: Bridge }): ReactNode {
  const [state, setState] = useState<ConnectionState>(bridge.state());
  const [version, setVersion] = useState<Response<'version'> | null>(null);
  const [roundTrip, setRoundTrip] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const off = bridge.onState(setState);
    setState(bridge.state()); // it may have changed before this effect subscribed
    return off;
  }, [bridge]);
  useEffect(() => {
    let live = true;
    const nonce = Math.random().toString(36).slice(2);
    const started = performance.now();
    Promise.all([bridge.api.version({}), bridge.api.ping({ nonce })])
      .then(([v, pong]) => {
        if (!live) return;
        if (pong.nonce !== nonce) throw new Error('ping answered with the wrong nonce');
        setVersion(v);
        setRoundTrip(performance.now() - started);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [bridge]);

  return (
    <footer className="status">
      <div className="status-items" role="status" aria-live="polite">
      <span className={`dot ${state}`} aria-hidden="true" />
      <span data-testid="connection">{labels[state]}</span>
      {version && (
        <span data-testid="version">
          NOME {version.app} · {version.host === 'electron' ? `Electron ${version.electron}` : 'headless'} · Node {version.node}
        </span>
      )}
      {roundTrip !== null && <span data-testid="ping">ping {roundTrip.toFixed(1)} ms</span>}
      {error && <span className="error">{error}</span>}
      </div>
    </footer>
  );
}
