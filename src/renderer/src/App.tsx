/** The renderer shell: navigation between screens and the status bar. Runtime: renderer. */
import { useEffect, useState, type ReactNode } from 'react';
import type { Bridge } from './bridge';
import { ApiContext } from './nome';
import { StatusBar } from './StatusBar';
import { ApprovalHost } from './approvals';
import { screens, type ScreenId } from './screens';

function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '');
  return (screens.find((s) => s.id === id)?.id ?? screens[0]!.id) as ScreenId;
}

export function App({ bridge }: { bridge: Bridge }): ReactNode {
  const [current, setCurrent] = useState<ScreenId>(() => screenFromHash(location.hash));
  useEffect(() => {
    const onHash = () => setCurrent(screenFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const screen = screens.find((s) => s.id === current) ?? screens[0]!;
  const Screen = screen.component;
  return (
    <ApiContext.Provider value={bridge.api}>
      <div className="shell">
        <header className="brand">
          <span className="logo" aria-hidden="true">◆</span> NOME Desktop
        </header>
        <nav className="nav" aria-label="Screens">
          <ul>
            {screens.map((s) => (
              <li key={s.id}>
                <a href={`#/${s.id}`} aria-current={s.id === current ? 'page' : undefined}>
                  {s.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main className="content" aria-labelledby="screen-title">
          <h1 id="screen-title">{screen.title}</h1>
          <Screen />
        </main>
        <StatusBar bridge={bridge} />
        <ApprovalHost />
      </div>
    </ApiContext.Provider>
  );
}
