/**
 * Service side of the renderer's Permissions screen (issue 4, point 9): one directory level of
 * the workspace with each entry's effective level, and a watcher that reloads the gateway when a
 * layer file changes. The lead wires these to IPC and the screen.
 *
 * Runtime: plain Node.
 */
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { nearestExisting } from './canonical';
import { createPermissionGateway } from './gateway';
import type { Level, PermissionGateway, RuleMatch } from './types';

export interface FileTreeEntry {
  name: string;
  /** Relative to the workspace, with `/` separators. */
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  level: Level;
  winner: RuleMatch | null;
}

export interface FileTree {
  /** The listed directory relative to the workspace ('' for the root). */
  dir: string;
  entries: FileTreeEntry[];
  /** True when the directory had more entries than the limit. */
  truncated: boolean;
}

/**
 * Lists one directory of the workspace (directories first, then by name) with each entry's
 * effective level. Pass a gateway to reuse its loaded layers, or a workspace path to load them.
 * `dir` must stay inside the workspace.
 */
export function fileTree(workspace: string | PermissionGateway, dir = '', opts: { limit?: number; env?: NodeJS.ProcessEnv; home?: string } = {}): FileTree {
  const gateway =
    typeof workspace === 'string'
      ? createPermissionGateway({ workspace, ...(opts.env ? { env: opts.env } : {}), ...(opts.home ? { home: opts.home } : {}) })
      : workspace;
  const root = gateway.workspace;
  const absolute = path.resolve(root, dir);
  const rel = path.relative(root, absolute);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) throw new Error(`${dir} is outside the workspace ${root}`);
  const limit = opts.limit ?? 5000;
  const dirents = readdirSync(absolute, { withFileTypes: true });
  const kind = (d: (typeof dirents)[number]): FileTreeEntry['kind'] =>
    d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other';
  const sorted = dirents
    .map((d) => ({ name: d.name, kind: kind(d) }))
    .sort((a, b) => Number(b.kind === 'dir') - Number(a.kind === 'dir') || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const entries = sorted.slice(0, limit).map(({ name, kind }): FileTreeEntry => {
    const explanation = gateway.explain(path.join(absolute, name));
    const relPath = path.join(rel, name).split(path.sep).join('/');
    return { name, path: relPath, kind, level: explanation.level, winner: explanation.winner };
  });
  return { dir: rel.split(path.sep).join('/'), entries, truncated: sorted.length > limit };
}

export interface LayerWatcher {
  close(): void;
}

/**
 * Watches the directories of the gateway's layer files (the nearest existing ones, so a `.nome/`
 * created later is noticed) and, when a layer file's content changes, reloads the gateway and calls
 * `onChange`. Content is compared, not events, so unrelated activity in a watched directory
 * (the workspace root, say) costs a few small reads and no reload.
 */
export function watchLayers(gateway: PermissionGateway, onChange: () => void, opts: { debounceMs?: number; onListenerError?: (error: unknown) => void } = {}): LayerWatcher {
  const debounceMs = opts.debounceMs ?? 50;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const signature = () =>
    gateway
      .layerFiles()
      .map((file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (error) {
          return `\0${(error as NodeJS.ErrnoException).code ?? 'error'}`;
        }
      })
      .join('\0\0');

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };

  const arm = () => {
    for (const w of watchers) w.close();
    watchers = [];
    const dirs = new Set<string>();
    for (const file of gateway.layerFiles()) {
      const existing = nearestExisting(path.dirname(file));
      if (existing) dirs.add(existing.dir);
    }
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, schedule);
        watcher.on('error', schedule);
        watchers.push(watcher);
      } catch {
        // Unwatchable (permissions, platform limits): changes there are picked up on the next reload.
      }
    }
  };

  let last = signature();
  function fire() {
    timer = null;
    if (closed) return;
    // Re-arm: a directory may have appeared (or gone) and moved the nearest existing parent.
    arm();
    const next = signature();
    if (next === last) return;
    last = next;
    gateway.reload();
    try {
      onChange();
    } catch (error) {
      // A listener's failure must not stop the watching; it is reported.
      opts.onListenerError?.(error);
    }
  }

  arm();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}
