/**
 * OS confinement for one command: bubblewrap on Linux, a `sandbox-exec` profile on macOS, or
 * nothing (reported as unconfined, with the reason) when neither works.
 *
 * Runtime: plain Node.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isWithin } from './paths';

export const BASH = '/bin/bash';
export const DEFAULT_BWRAP = '/usr/bin/bwrap';
export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

export interface ConfineRequest {
  /** Real path of the workspace (read-write inside the sandbox). */
  workspace: string;
  /** Real path of the working directory (inside the workspace). */
  cwd: string;
  network: boolean;
  /** noAccess: masked (tmpfs over directories, /dev/null over files). */
  hidePaths: readonly string[];
  /**
   * What a hide path that no longer exists means: `skip` (nothing there to hide; the default) or
   * `refuse` (it existed when the view was taken, so it moved: the mask helper refuses to run).
   */
  missingHidden?: 'skip' | 'refuse';
  /** readOnly paths (inside the workspace): bound read-only over themselves, after the workspace. */
  readOnlyPaths?: readonly string[];
  /**
   * Paths bound over themselves read-write so that they cannot be renamed, removed or replaced
   * (a mount point is busy): a repository's `.git` directory, which must stay writable for git but
   * must not be swapped for one whose hooks and config are not protected.
   */
  pinnedPaths?: readonly string[];
  /** Directories replaced by an empty per-run tmpfs (homes, /run, /var, …): nothing in them is visible. */
  privateAreas?: readonly string[];
  /** Paths inside private areas bound back read-only (toolchains, git's user config). */
  exposePaths?: readonly string[];
  /** The bash script to run. */
  command: string;
  /** macOS only: a per-run directory used as TMPDIR (sandbox-exec cannot give a private /tmp). */
  privateTmp?: string;
}

export interface ConfinePlan {
  /** argv to run (argv[0] is the executable). */
  argv: string[];
  /** The mask list for the mask helper, to be handed to it as file descriptor 3; null when bwrap masks. */
  maskSpec: Buffer | null;
  confined: boolean;
  /** How: e.g. "bwrap: ro root, rw workspace, private /tmp, no network, pid ns, 2 hidden" or why not. */
  confinement: string;
}

export type SandboxMode = 'auto' | 'off';

export interface ProbeResult {
  usable: boolean;
  reason: string;
}

const probeCache = new Map<string, ProbeResult>();

/**
 * Namespaces and privileges of every confined run: a user namespace with no capabilities (also
 * when NOME runs as root, where the command runs as `nobody` mapped to root's files), no nested
 * user namespaces, and private pid, network, IPC, UTS and cgroup namespaces. The probe uses the
 * same flags, so a machine where any of them fails runs commands unconfined, and says why.
 */
export function isolationArgs(network: boolean, uid: number | undefined = process.getuid?.(), maskHelper = false): string[] {
  return [
    '--unshare-user',
    ...(maskHelper
      ? // The mask helper starts as the sandbox's root with only what it needs to mount, then does
        // the rest itself (helper/nome-mask.c): nested user namespace, uid, no capabilities.
        ['--uid', '0', '--gid', '0', '--cap-drop', 'ALL', '--cap-add', 'CAP_SYS_ADMIN', '--cap-add', 'CAP_SETPCAP', '--cap-add', 'CAP_SYS_RESOURCE', '--cap-add', 'CAP_SETFCAP']
      : [
          // As root, the command runs as nobody: no tool sees itself as root (npm, pip and git change behaviour).
          ...(uid === 0 ? ['--uid', '65534', '--gid', '65534'] : []),
          '--cap-drop', 'ALL',
          '--disable-userns',
        ]),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(network ? [] : ['--unshare-net']),
    '--die-with-parent',
    '--new-session',
  ];
}

/** The uid and gid the command runs as under the mask helper: nobody when NOME is root, else NOME's own. */
export function sandboxIds(uid: number | undefined = process.getuid?.(), gid: number | undefined = process.getgid?.()): [number, number] {
  return uid === 0 || uid === undefined ? [65534, 65534] : [uid, gid ?? uid];
}

/**
 * Does bubblewrap actually work here, with every feature a run uses? (It can be installed but
 * unusable, e.g. without user namespaces in a container.) Cached per binary path.
 */
export function probeBwrap(bwrap: string = DEFAULT_BWRAP): ProbeResult {
  const cached = probeCache.get(bwrap);
  if (cached) return cached;
  let result: ProbeResult;
  if (!existsSync(bwrap)) {
    result = { usable: false, reason: `${bwrap} not found` };
  } else {
    const probe = spawnSync(
      bwrap,
      ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--ro-bind', '/dev/null', '/tmp/probe', ...isolationArgs(false), '--', '/bin/true'],
      { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    result =
      probe.status === 0
        ? { usable: true, reason: 'bwrap probe passed' }
        : { usable: false, reason: `bwrap probe failed (${probe.error?.message ?? `exit ${probe.status ?? probe.signal}`}): ${(probe.stderr ?? '').trim()}` };
  }
  probeCache.set(bwrap, result);
  return result;
}

/**
 * Does the mask helper work here (built, and allowed by bubblewrap to mount as the sandbox's root)?
 * Cached per helper; when it does not, runs mask through bubblewrap's own binds.
 */
export function probeMaskHelper(helper: string, bwrap: string = DEFAULT_BWRAP): ProbeResult {
  const key = `${bwrap}\0${helper}`;
  const cached = probeCache.get(key);
  if (cached) return cached;
  let empty: number | null = null;
  let result: ProbeResult;
  try {
    empty = openSync('/dev/null', 'r');
    const probe = spawnSync(
      bwrap,
      ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--ro-bind', helper, MASK_HELPER_INSIDE, ...isolationArgs(false, undefined, true), '--', MASK_HELPER_INSIDE, '3', ...sandboxIds().map(String), '--', '/bin/true'],
      { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe', empty] },
    );
    result = probe.status === 0 ? { usable: true, reason: 'nome-mask probe passed' } : { usable: false, reason: `nome-mask probe failed (exit ${probe.status ?? probe.signal}): ${(probe.stderr ?? '').trim()}` };
  } catch (error) {
    result = { usable: false, reason: `nome-mask probe failed: ${(error as Error).message}` };
  } finally {
    if (empty !== null) closeSync(empty);
  }
  probeCache.set(key, result);
  return result;
}

export function probeSandboxExec(): ProbeResult {
  const cached = probeCache.get(SANDBOX_EXEC);
  if (cached) return cached;
  let result: ProbeResult;
  if (!existsSync(SANDBOX_EXEC)) result = { usable: false, reason: `${SANDBOX_EXEC} not found` };
  else {
    const probe = spawnSync(SANDBOX_EXEC, ['-p', '(version 1)(allow default)', '/usr/bin/true'], { timeout: 10_000, encoding: 'utf8' });
    result = probe.status === 0 ? { usable: true, reason: 'sandbox-exec probe passed' } : { usable: false, reason: `sandbox-exec probe failed: ${(probe.stderr ?? '').trim()}` };
  }
  probeCache.set(SANDBOX_EXEC, result);
  return result;
}

interface Hidden {
  path: string;
  dir: boolean;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Hide paths resolved through symlinks (a mask must cover the real file; a symlink itself holds no
 * data and is not masked), and the ones that cannot be resolved now: they were there when the
 * view was taken, so they moved or were removed since, and the mask helper refuses to run rather
 * than leave what moved visible.
 */
function resolveHidden(paths: readonly string[]): { hidden: Hidden[]; missing: string[] } {
  const hidden: Hidden[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (!path.isAbsolute(p)) continue;
    let real: string;
    try {
      real = realpathSync.native(p);
    } catch {
      // A dangling link (a protected name pointing at nothing yet) holds nothing to hide; a path that is gone is missing.
      if (!isSymlink(p)) missing.push(path.resolve(p));
      continue;
    }
    for (const candidate of new Set([path.resolve(p), real])) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      try {
        if (lstatSync(candidate).isSymbolicLink()) continue;
        hidden.push({ path: candidate, dir: statSync(candidate).isDirectory() });
      } catch {
        // the unresolved path may be a dangling component; the real one is covered
      }
    }
  }
  return { hidden, missing };
}

/** Existing paths (resolved through symlinks: a bind covers the real file), parents first. */
function existingReal(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    if (!path.isAbsolute(p)) continue;
    try {
      out.add(realpathSync.native(p));
    } catch {
      // absent: nothing to bind
    }
  }
  return [...out].sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || (a < b ? -1 : 1));
}

type View = { areas: string[]; expose: string[]; pinned: string[]; readOnly: string[]; hidden: Hidden[]; missing: string[] };
/** One view per request: planning asks for it several times (argv, mask list, report), and it stats every path. */
const views = new WeakMap<ConfineRequest, View>();

/** What the command sees, after masks that nothing could reach are dropped; for argv and reports. */
export function viewOf(req: ConfineRequest): View {
  let view = views.get(req);
  if (!view) {
    view = computeView(req);
    views.set(req, view);
  }
  return view;
}

function computeView(req: ConfineRequest): View {
  const areas = [...new Set((req.privateAreas ?? []).filter((p) => path.isAbsolute(p) && existsSync(p)).map((p) => path.resolve(p)))].filter(
    (p, _, all) => !all.some((q) => q !== p && isWithin(p, q)),
  );
  const expose = existingReal(req.exposePaths ?? []).filter((p) => !isWithin(p, req.workspace));
  const visible = (p: string) => !areas.some((a) => isWithin(p, a)) || isWithin(p, req.workspace) || expose.some((e) => isWithin(p, e));
  const inside = (paths: readonly string[] | undefined) => existingReal(paths ?? []).filter((p) => isWithin(p, req.workspace));
  // Under the private /tmp and the private areas, only what a bind brings back needs masking.
  const reachable = (p: string) => (!isWithin(p, '/tmp') || isWithin(p, req.workspace)) && visible(p);
  const resolved = resolveHidden(req.hidePaths);
  const candidates = resolved.hidden.filter((h) => reachable(h.path));
  // A mask inside a masked directory is already covered (and could not be mounted on its empty tmpfs).
  const maskedDirs = candidates.filter((h) => h.dir).map((h) => h.path);
  const covered = (p: string) => maskedDirs.some((d) => d !== p && isWithin(p, d));
  const hidden = candidates.filter((h) => !covered(h.path));
  return {
    areas,
    expose,
    pinned: inside(req.pinnedPaths).filter((p) => !covered(p)),
    readOnly: inside(req.readOnlyPaths).filter((p) => !covered(p)),
    hidden,
    missing: req.missingHidden === 'refuse' ? resolved.missing.filter((p) => reachable(p) && !covered(p)) : [],
  };
}

/**
 * bubblewrap argv: root read-only, /dev and /proc fresh, private /tmp, private areas empty with
 * toolchains bound back read-only, the workspace read-write with its `.git` directories pinned and
 * its readOnly paths bound read-only, noAccess paths masked (tmpfs over directories, /dev/null
 * over files), the isolation of `isolationArgs`. Later mounts cover earlier ones, so the order is
 * the design: areas → exposes → masks above the workspace → workspace → pins → readOnly → masks in it.
 */
/** Where the mask helper is bound inside the sandbox (a fresh tmpfs; nothing else is there yet). */
export const MASK_HELPER_INSIDE = '/tmp/.nome-mask';

export function bwrapArgv(
  req: ConfineRequest,
  bwrap: string = DEFAULT_BWRAP,
  uid: number | undefined = process.getuid?.(),
  /** The mask helper's path: masks below the workspace's parents are its job (fast, inode-checked). */
  maskHelper: string | null = null,
): string[] {
  const { areas, expose, pinned, readOnly, hidden } = viewOf(req);
  const mask = (h: Hidden) => (h.dir ? ['--tmpfs', h.path, '--remount-ro', h.path] : ['--ro-bind', '/dev/null', h.path]);
  // A mask above the workspace must come before the workspace bind (which re-exposes the workspace
  // itself); every other mask comes last, after the workspace and its read-only binds, or from the helper.
  const above = hidden.filter((h) => h.path !== req.workspace && isWithin(req.workspace, h.path));
  const rest = hidden.filter((h) => !above.includes(h));
  const command = [BASH, '--noprofile', '--norc', '-c', req.command];
  return [
    bwrap,
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    ...areas.flatMap((a) => ['--tmpfs', a]),
    // /var/tmp is a temp directory too; it must exist when /var is private.
    ...(areas.some((a) => isWithin('/var/tmp', a)) ? ['--tmpfs', '/var/tmp'] : []),
    ...expose.flatMap((p) => ['--ro-bind', p, p]),
    ...above.flatMap(mask),
    '--bind', req.workspace, req.workspace,
    ...pinned.flatMap((p) => ['--bind', p, p]),
    ...readOnly.flatMap((p) => ['--ro-bind', p, p]),
    ...(maskHelper ? ['--ro-bind', maskHelper, MASK_HELPER_INSIDE] : rest.flatMap(mask)),
    ...isolationArgs(req.network, uid, maskHelper !== null),
    '--chdir', req.cwd,
    '--',
    ...(maskHelper ? [MASK_HELPER_INSIDE, '3', ...sandboxIds(uid).map(String), '--'] : []),
    ...command,
  ];
}

/**
 * The helper's mask list: for every mask not above the workspace, its kind, device and inode as
 * they are now, and its path (NUL-terminated fields). A path that is gone now is still listed (with
 * 0 0): the helper then refuses to run, since a protected file that moved must not stay visible.
 */
export function maskSpec(req: ConfineRequest): Buffer {
  const { hidden, missing } = viewOf(req);
  const fields: string[] = [];
  for (const p of missing) fields.push('f', '0', '0', p);
  for (const h of hidden) {
    if (h.path !== req.workspace && isWithin(req.workspace, h.path)) continue;
    let dev = '0';
    let ino = '0';
    try {
      const st = lstatSync(h.path, { bigint: true });
      dev = String(st.dev);
      ino = String(st.ino);
    } catch {
      // listed as unknown: the helper fails closed
    }
    fields.push(h.dir ? 'd' : 'f', dev, ino, h.path);
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

/** SBPL string literal. */
const sbpl = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * The macOS `sandbox-exec` profile equivalent to the bubblewrap confinement: reads allowed,
 * writes only to the workspace, the per-run TMPDIR and a few devices; hidden paths neither
 * readable nor writable; no network unless granted. Paths must be real paths (/private/var, not
 * /var). Not exercised on Linux CI: it is only generated and checked for shape there.
 */
export function macosProfile(req: ConfineRequest): string {
  const { areas, expose, readOnly, hidden } = viewOf(req);
  const writable = [req.workspace, ...(req.privateTmp ? [req.privateTmp] : [])];
  const lines = [
    '(version 1)',
    '(allow default)',
    '(deny file-write*)',
    '(allow file-write*',
    ...writable.map((p) => `  (subpath ${sbpl(p)})`),
    '  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/dtracehelper")',
    '  (regex #"^/dev/ttys[0-9]+$") (regex #"^/dev/fd/[0-9]+$"))',
  ];
  // Later rules win in SBPL: private areas, then what is exposed and the workspace, then the levels.
  if (areas.length > 0) {
    lines.push('(deny file-read* file-write*', ...areas.map((a) => `  (subpath ${sbpl(a)})`), ')');
    lines.push('(allow file-read*', `  (subpath ${sbpl(req.workspace)})`, ...expose.map((e) => `  (subpath ${sbpl(e)})`), ')');
    lines.push('(allow file-read-metadata)');
    lines.push(`(allow file-write* (subpath ${sbpl(req.workspace)}))`);
  }
  if (readOnly.length > 0) lines.push('(deny file-write*', ...readOnly.map((p) => `  (subpath ${sbpl(p)})`), ')');
  if (hidden.length > 0) {
    lines.push('(deny file-read* file-write*', ...hidden.map((h) => `  (${h.dir ? 'subpath' : 'literal'} ${sbpl(h.path)})`), ')');
  }
  if (!req.network) lines.push('(deny network*)');
  return lines.join('\n') + '\n';
}

/** Whether commands would run confined here, and how (or why not); for status displays and policy. */
export function probeSandbox(options: { mode?: SandboxMode; bwrapPath?: string; platform?: NodeJS.Platform } = {}): { confined: boolean; how: string } {
  const platform = options.platform ?? process.platform;
  if (options.mode === 'off') return { confined: false, how: 'none: sandbox turned off by the caller' };
  if (platform === 'linux') {
    const probe = probeBwrap(options.bwrapPath ?? DEFAULT_BWRAP);
    return probe.usable ? { confined: true, how: 'bwrap' } : { confined: false, how: `none: ${probe.reason}` };
  }
  if (platform === 'darwin') {
    const probe = probeSandboxExec();
    return probe.usable ? { confined: true, how: 'sandbox-exec' } : { confined: false, how: `none: ${probe.reason}` };
  }
  return { confined: false, how: `none: no sandbox for platform ${platform}` };
}

export function planConfinement(
  req: ConfineRequest,
  options: { mode?: SandboxMode; bwrapPath?: string; platform?: NodeJS.Platform; maskHelper?: string | null } = {},
): ConfinePlan {
  const unconfined = [BASH, '--noprofile', '--norc', '-c', req.command];
  const platform = options.platform ?? process.platform;
  if (options.mode === 'off') return { argv: unconfined, maskSpec: null, confined: false, confinement: 'none: sandbox turned off by the caller' };
  if (platform === 'linux') {
    const bwrap = options.bwrapPath ?? DEFAULT_BWRAP;
    const probe = probeBwrap(bwrap);
    if (!probe.usable) return { argv: unconfined, maskSpec: null, confined: false, confinement: `none: ${probe.reason}` };
    const view = viewOf(req);
    const helperProbe = options.maskHelper ? probeMaskHelper(options.maskHelper, bwrap) : null;
    const helper = helperProbe?.usable ? options.maskHelper! : null;
    const masking = helper ? 'masked by nome-mask' : `masked by bwrap: ${helperProbe ? helperProbe.reason : 'nome-mask not built'}`;
    return {
      argv: bwrapArgv(req, bwrap, undefined, helper),
      maskSpec: helper ? maskSpec(req) : null,
      confined: true,
      confinement:
        `bwrap: ro root, rw workspace, private /tmp, ${req.network ? 'network granted' : 'no network'}, user namespace without capabilities, ` +
        `${view.areas.length} private area(s), ${view.expose.length} exposed, ${view.hidden.length} hidden path(s) (${masking}), ` +
        `${view.readOnly.length} read-only, ${view.pinned.length} pinned`,
    };
  }
  if (platform === 'darwin') {
    const probe = probeSandboxExec();
    if (!probe.usable) return { argv: unconfined, maskSpec: null, confined: false, confinement: `none: ${probe.reason}` };
    return {
      argv: [SANDBOX_EXEC, '-p', macosProfile(req), ...unconfined],
      maskSpec: null,
      confined: true,
      confinement: `sandbox-exec: writes only to workspace and TMPDIR, ${req.network ? 'network granted' : 'no network'}`,
    };
  }
  return { argv: unconfined, maskSpec: null, confined: false, confinement: `none: no sandbox for platform ${platform}` };
}
