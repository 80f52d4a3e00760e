/**
 * The Permissions screen: the workspace's file tree with each entry's effective level, and for the
 * selected entry the whole cascade (every matching rule, its layer, source and level; the winner
 * highlighted). Reloads live when a layer file changes.
 *
 * Runtime: renderer.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Response, TreeEntryView } from '../../shared/contract';
import { useNome } from './nome';

type Explanation = Response<'permissionsExplain'>;

const levelLabel = { noAccess: 'no access', readOnly: 'read only', readWrite: 'read/write' } as const;

function LevelBadge({ level }: { level: TreeEntryView['level'] }): ReactNode {
  return <span className={`badge level-${level}`}>{levelLabel[level]}</span>;
}

function Directory({ dir, depth, selected, onSelect, version }: { dir: string; depth: number; selected: string | null; onSelect: (p: string) => void; version: number }): ReactNode {
  const nome = useNome();
  const [entries, setEntries] = useState<TreeEntryView[] | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    nome.permissionsTree({ dir }).then(
      (t) => live && setEntries(t.entries),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [nome, dir, version]);
  if (error) return <p className="error">{error}</p>;
  if (!entries) return null;
  return (
    <ul role={depth === 0 ? 'tree' : 'group'} aria-label={depth === 0 ? 'Workspace files' : undefined} className="tree">
      {entries.map((e) => {
        const expanded = e.kind === 'dir' && open.has(e.path);
        return (
          <li key={e.path} role="treeitem" aria-selected={selected === e.path} aria-expanded={e.kind === 'dir' ? expanded : undefined}>
            <button
              type="button"
              className="entry"
              style={{ paddingLeft: `${8 + depth * 16}px` }}
              onClick={() => {
                onSelect(e.path);
                if (e.kind === 'dir') setOpen((o) => new Set(o.has(e.path) ? [...o].filter((p) => p !== e.path) : [...o, e.path]));
              }}
            >
              <span className="name">
                {e.kind === 'dir' ? (expanded ? '▾ ' : '▸ ') : ''}
                {e.name}
              </span>
              <LevelBadge level={e.level} />
            </button>
            {expanded && <Directory dir={e.path} depth={depth + 1} selected={selected} onSelect={onSelect} version={version} />}
          </li>
        );
      })}
    </ul>
  );
}

function Cascade({ explanation }: { explanation: Explanation }): ReactNode {
  const { winner } = explanation;
  const isWinner = (m: Explanation['matches'][number]) =>
    winner !== null && m.layer === winner.layer && m.source === winner.source && m.pattern === winner.pattern && m.line === winner.line;
  return (
    <section aria-labelledby="cascade-title" className="cascade">
      <h2 id="cascade-title">
        <code>{explanation.path}</code> <LevelBadge level={explanation.level} />
      </h2>
      {explanation.error && <p className="error">{explanation.error}</p>}
      {explanation.matches.length === 0 ? (
        <p>No rule matches: the default applies.</p>
      ) : (
        <table className="files">
          <caption>Every matching rule; the most restrictive wins</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Source</th>
              <th scope="col">Pattern</th>
              <th scope="col">Level</th>
              <th scope="col">Winner</th>
            </tr>
          </thead>
          <tbody>
            {explanation.matches.map((m, i) => (
              <tr key={i} className={isWinner(m) ? 'winner' : undefined} data-winner={isWinner(m) ? 'true' : undefined}>
                <td>{m.layer}</td>
                <td>
                  {m.source}
                  {m.line !== null ? `:${m.line}` : ''}
                </td>
                <td>
                  <code>{m.pattern}</code>
                </td>
                <td>{levelLabel[m.level]}</td>
                <td>{isWinner(m) ? 'winner' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function PermissionsScreen(): ReactNode {
  const nome = useNome();
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [explanation, setExplanation] = useState<Explanation | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => nome.on.permissionsChanged(({ errors: e }) => {
    setErrors(e);
    setVersion((v) => v + 1);
  }), [nome]);
  const explain = useCallback(
    (p: string) => {
      nome.permissionsExplain({ path: p }).then(setExplanation, () => setExplanation(null));
    },
    [nome],
  );
  useEffect(() => {
    if (selected !== null) explain(selected);
  }, [selected, version, explain]);
  return (
    <div className="permissions">
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <nav aria-label="Workspace tree" className="tree-pane">
        <Directory dir="" depth={0} selected={selected} onSelect={setSelected} version={version} />
      </nav>
      <div className="cascade-pane">{explanation ? <Cascade explanation={explanation} /> : <p className="placeholder">Select a file to see its cascade.</p>}</div>
    </div>
  );
}
