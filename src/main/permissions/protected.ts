/**
 * A cached index of the protected entries under one directory, kept fresh by watching every
 * directory in it, so that the OS sandbox can enforce the permission levels on every run without
 * walking the tree per command (DESIGN.md, "Enforcement").
 *
 * What it collects: every noAccess entry (a noAccess directory is listed whole and not entered),
 * optionally every readOnly entry (a readOnly directory is listed and still entered: a noAccess
 * file may sit inside it), every Unix socket, every entry others may not read (for a sandbox whose
 * files are root's), and every entry with a given name (`.git`, which the sandbox pins).
 *
 * Symbolic links hold no data: what one points to is indexed where it lies (the sandbox masks
 * resolved paths, so reading through any link finds the mask). But a link with a protected name
 * (`.env -> notes.txt`) protects what it points to, since that is where the protected data will be
 * written: it is listed, and the sandbox masks (or binds read-only) its target.
 *
 * Freshness: a directory is watched before it is listed, so a change after the listing is an
 * event. An event marks the directory dirty; before answering, `fresh()` lets pending events
 * arrive and re-lists the dirty directories (new subdirectories are walked, vanished ones
 * dropped, a directory replaced by another under the same name is walked anew). Layer changes
 * are not seen here: the owner rebuilds the index when the rules change.
 *
 * Fail safe: when the index cannot be trusted (too many entries, a directory that cannot be
 * listed, watched or even stat'ed — a path too long, a directory its owner made unreadable),
 * `complete` is false with the reason, and the owner runs the command as unconfined (so
 * code-running commands ask). A directory NOME cannot read is skipped only when the command could
 * not read it either (another user's, as NOME is not root). Every failure but size is retried by a
 * full rebuild at the next question, so the index heals when the cause goes away.
 *
 * Runtime: plain Node.
 */
import { lstatSync, readdirSync, realpathSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Level } from './types';

export interface ProtectedEntries {
  /** Entries the sandbox must mask: noAccess, and sockets / owner-only entries where asked. */
  hide: string[];
  /** readOnly entries (when asked): bound read-only over themselves. */
  readOnly: string[];
  /** Entries with one of the asked names, with whether each is a directory. */
  named: { path: string; dir: boolean }[];
  /** Number of entries indexed. */
  entries: number;
  complete: boolean;
  reason: string | null;
}

export interface ProtectedIndexOptions {
  /** The level of an existing, canonical path (the permission gateway's `levelOf`). */
  levelOf: (realPath: string, isDir: boolean) => Level;
  readOnly?: boolean;
  sockets?: boolean;
  /** Hide entries others may not read (files without o+r, directories without o+rx). */
  ownerOnly?: boolean;
  names?: readonly string[];
  /**
   * A symlink with a protected name protects what it points to (inside a workspace, where a command
   * can make `.env -> notes.txt` and wait for the person to write through it). Off for system
   * directories, whose links (`/etc/ssl/certs/*.pem`) commands cannot make.
   */
  linkNamesProtectTargets?: boolean;
  /** More entries than this: incomplete. */
  maxEntries?: number;
  /** Keep the index fresh with watchers (default true); false indexes once. */
  watch?: boolean;
}

export const DEFAULT_MAX_ENTRIES = 1_000_000;

interface DirRecord {
  ino: number;
  watcher: FSWatcher | null;
  hide: string[];
  readOnly: string[];
  named: { path: string; dir: boolean }[];
  /** Subdirectory paths that are indexed (entered). */
  subdirs: string[];
  entries: number;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ProtectedIndex {
  readonly root: string;
  private readonly opts: Required<Omit<ProtectedIndexOptions, 'names'>> & { names: ReadonlySet<string> };
  private readonly dirs = new Map<string, DirRecord>();
  private readonly dirty = new Set<string>();
  private total = 0;
  private failure: string | null = null;
  /** A failure a rebuild may cure (everything but size). */
  private transient = false;
  private rootRecord: { hide: string[]; readOnly: string[] } = { hide: [], readOnly: [] };
  private cached: ProtectedEntries | null = null;
  private closed = false;

  constructor(root: string, opts: ProtectedIndexOptions) {
    // The real directory: an index rooted at a symlink would see nothing below it.
    let real = path.resolve(root);
    try {
      real = realpathSync.native(real);
    } catch {
      // absent: nothing to index (build says so)
    }
    this.root = real;
    this.opts = {
      levelOf: opts.levelOf,
      readOnly: opts.readOnly ?? false,
      sockets: opts.sockets ?? false,
      ownerOnly: opts.ownerOnly ?? false,
      names: new Set(opts.names ?? []),
      linkNamesProtectTargets: opts.linkNamesProtectTargets ?? false,
      maxEntries: opts.maxEntries ?? DEFAULT_MAX_ENTRIES,
      watch: opts.watch ?? true,
    };
    this.build();
  }

  /** The entries as of now: pending change events are taken in first. */
  async fresh(): Promise<ProtectedEntries> {
    // Two turns of the event loop: the first lets the loop reach its poll phase, where the
    // watcher's events (queued by the kernel when the change happened) are read and delivered.
    await nextTick();
    await nextTick();
    return this.snapshot();
  }

  /** The entries as of the last delivered change events. */
  snapshot(): ProtectedEntries {
    if (this.failure !== null && this.transient && !this.closed) this.rebuild();
    if (this.dirty.size > 0 && this.failure === null) {
      const dirty = [...this.dirty].sort((a, b) => a.length - b.length);
      this.dirty.clear();
      for (const dir of dirty) if (this.dirs.has(dir)) this.relist(dir);
      this.cached = null;
    }
    if (this.cached) return this.cached;
    const hide = [...this.rootRecord.hide];
    const readOnly = [...this.rootRecord.readOnly];
    const named: ProtectedEntries['named'] = [];
    for (const record of this.dirs.values()) {
      hide.push(...record.hide);
      readOnly.push(...record.readOnly);
      named.push(...record.named);
    }
    const complete = this.failure === null && this.total <= this.opts.maxEntries;
    const reason = this.failure ?? (complete ? null : `${this.root} has more than ${this.opts.maxEntries} entries`);
    this.cached = { hide, readOnly, named, entries: this.total, complete, reason };
    return this.cached;
  }

  close(): void {
    this.closed = true;
    for (const record of this.dirs.values()) record.watcher?.close();
    this.dirs.clear();
    this.dirty.clear();
  }

  private rebuild(): void {
    for (const record of this.dirs.values()) record.watcher?.close();
    this.dirs.clear();
    this.dirty.clear();
    this.total = 0;
    this.failure = null;
    this.transient = false;
    this.rootRecord = { hide: [], readOnly: [] };
    this.cached = null;
    this.build();
  }

  private fail(reason: string, transient = true): void {
    if (this.failure !== null) return;
    this.failure = reason;
    this.transient = transient;
    this.cached = null;
    // Nothing more is tracked: the index is not trusted until it is rebuilt.
    for (const record of this.dirs.values()) record.watcher?.close();
  }

  private build(): void {
    let stat;
    try {
      stat = lstatSync(this.root);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.fail(`cannot index ${this.root}: ${(error as Error).message}`);
      return; // nothing there: nothing to protect
    }
    if (stat.isSymbolicLink()) return;
    const level = this.opts.levelOf(this.root, stat.isDirectory());
    if (level === 'noAccess') {
      this.rootRecord.hide.push(this.root);
      return;
    }
    if (this.opts.readOnly && level === 'readOnly') this.rootRecord.readOnly.push(this.root);
    if (stat.isDirectory()) this.walk(this.root);
  }

  /** Indexes `dir` and everything below it. */
  private walk(start: string): void {
    const stack = [start];
    while (stack.length > 0 && this.failure === null) {
      const dir = stack.pop()!;
      const record = this.list(dir);
      if (record) stack.push(...record.subdirs);
    }
  }

  /** Lists one directory into a new record (watched first); null when it is gone or unreadable. */
  private list(dir: string): DirRecord | null {
    if (this.closed) return null;
    let ino: number;
    let owner: number;
    try {
      const st = lstatSync(dir);
      ino = st.ino;
      owner = st.uid;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null; // gone meanwhile
      // A path too long to stat (or any other failure) could hide a whole subtree: not trusted.
      this.fail(`cannot stat ${dir.length > 200 ? `${dir.slice(0, 200)}…` : dir} (${code ?? (error as Error).message})`);
      return null;
    }
    // A directory the command's own user owns but NOME cannot read could be made readable again by
    // the command: it is not skipped. (As root NOME reads everything.)
    const ownedByCommand = owner === process.getuid?.();
    let watcher: FSWatcher | null = null;
    if (this.opts.watch) {
      try {
        watcher = watch(dir, { persistent: false }, () => this.touch(dir));
        watcher.on('error', () => this.touch(dir));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        if (((code === 'EACCES' || code === 'EPERM') && ownedByCommand) || (code !== 'EACCES' && code !== 'EPERM')) {
          this.fail(`cannot watch ${dir} (${code ?? (error as Error).message}${code === 'ENOSPC' ? ': the inotify watch limit fs.inotify.max_user_watches is reached' : ''})`);
          return null;
        }
      }
    }
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      watcher?.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      // Unreadable for NOME is unreadable for the command too, unless the command owns it.
      if ((code === 'EACCES' || code === 'EPERM') && !ownedByCommand) return null;
      this.fail(`cannot list ${dir}: ${(error as Error).message}`);
      return null;
    }
    const record: DirRecord = { ino, watcher, hide: [], readOnly: [], named: [], subdirs: [], entries: dirents.length };
    for (const entry of dirents) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        if (!this.opts.linkNamesProtectTargets) continue;
        // A protected name protects what it points to (see the module comment).
        const level = this.opts.levelOf(full, false);
        if (level === 'noAccess') record.hide.push(full);
        else if (this.opts.readOnly && level === 'readOnly') record.readOnly.push(full);
        continue;
      }
      const isDir = entry.isDirectory();
      if (this.opts.names.has(entry.name)) record.named.push({ path: full, dir: isDir });
      const level = this.opts.levelOf(full, isDir);
      if (level === 'noAccess' || (this.opts.sockets && entry.isSocket()) || (this.opts.ownerOnly && !othersMayRead(full, isDir))) {
        record.hide.push(full);
        continue;
      }
      if (this.opts.readOnly && level === 'readOnly') record.readOnly.push(full);
      if (isDir) record.subdirs.push(full);
    }
    this.dirs.set(dir, record);
    this.total += record.entries;
    if (this.total > this.opts.maxEntries) this.fail(`${this.root} has more than ${this.opts.maxEntries} entries`, false);
    return record;
  }

  private touch(dir: string): void {
    if (this.closed) return;
    this.dirty.add(dir);
    this.cached = null;
  }

  /** Drops `dir`'s record and every record below it. */
  private drop(dir: string): void {
    const record = this.dirs.get(dir);
    if (!record) return;
    this.dirs.delete(dir);
    this.total -= record.entries;
    record.watcher?.close();
    for (const sub of record.subdirs) this.drop(sub);
  }

  /** Re-lists a changed directory; subdirectories still there under the same identity are kept. */
  private relist(dir: string): void {
    const old = this.dirs.get(dir)!;
    this.dirs.delete(dir);
    this.total -= old.entries;
    old.watcher?.close();
    const record = this.list(dir);
    const kept = new Set<string>();
    if (record) {
      for (const sub of record.subdirs) {
        const known = this.dirs.get(sub);
        let same = false;
        if (known && old.subdirs.includes(sub)) {
          try {
            same = lstatSync(sub).ino === known.ino;
          } catch {
            same = false;
          }
        }
        if (same) kept.add(sub);
        else {
          this.drop(sub);
          this.walk(sub);
          kept.add(sub);
        }
      }
    }
    for (const sub of old.subdirs) if (!kept.has(sub)) this.drop(sub);
  }
}

function othersMayRead(file: string, isDir: boolean): boolean {
  try {
    const mode = lstatSync(file).mode;
    return isDir ? (mode & 0o005) === 0o005 : (mode & 0o004) !== 0;
  } catch {
    return true; // gone: nothing to hide
  }
}
