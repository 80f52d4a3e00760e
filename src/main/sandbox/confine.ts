/**
 * OS confinement for one command: bubblewrap on Linux, a `sandbox-exec` profile on macOS, or
 * nothing (reported as unconfined, with the reason) when neither works.
 *
 * Runtime: plain Node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export const BASH = '/bin/bash';
export const DEFAULT_BWRAP = '/usr/bin/bwrap';
export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

export interface ConfineRequest {
  /** Real path of the workspace (read-write inside the sandbox). */
  workspace: string;
  /** Real path of the working directory (inside the workspace). */
  cwd: string;
  network: boolean;
  hidePaths: readonly string[];
  /** The bash script to run. */
  command: string;
  /** macOS only: a per-run directory used as TMPDIR (sandbox-exec cannot give a private /tmp). */
  privateTmp?: string;
}

export interface ConfinePlan {
  /** argv to run (argv[0] is the executable). */
  argv: string[];
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
      ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-pid', '--unshare-net', '--die-with-parent', '--new-session', '--', '/bin/true'],
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

/** Existing hide paths, resolved through symlinks (a mask must cover the real file). */
function resolveHidden(paths: readonly string[]): Hidden[] {
  const out: Hidden[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (!path.isAbsolute(p)) continue;
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      continue; // does not exist: nothing to hide
    }
    for (const candidate of new Set([path.resolve(p), real])) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      try {
        out.push({ path: candidate, dir: statSync(candidate).isDirectory() });
      } catch {
        // the unresolved path may be a dangling component; the real one is covered
      }
    }
  }
  return out;
}

const isWithin = (child: string, parent: string) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * bubblewrap argv: root read-only, /dev and /proc fresh, private /tmp, the workspace read-write,
 * hidden paths masked (tmpfs over directories, /dev/null over files), network and pid namespaces,
 * a new session (no TIOCSTI into the supervisor's terminal), killed with its parent.
 */
export function bwrapArgv(req: ConfineRequest, bwrap: string = DEFAULT_BWRAP): string[] {
  // Under the private /tmp, only what the workspace bind brings back needs masking.
  const hidden = resolveHidden(req.hidePaths).filter((h) => !isWithin(h.path, '/tmp') || isWithin(h.path, req.workspace));
  const mask = (h: Hidden) => (h.dir ? ['--tmpfs', h.path, '--remount-ro', h.path] : ['--ro-bind', '/dev/null', h.path]);
  // A mask above the workspace goes first so the workspace bind re-exposes the workspace itself;
  // masks at or inside the workspace go after it so they cover what the bind exposed.
  const above = hidden.filter((h) => h.path !== req.workspace && isWithin(req.workspace, h.path));
  const below = hidden.filter((h) => !above.includes(h));
  return [
    bwrap,
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    ...above.flatMap(mask),
    '--bind', req.workspace, req.workspace,
    ...below.flatMap(mask),
    ...(req.network ? [] : ['--unshare-net']),
    '--unshare-pid',
    '--die-with-parent',
    '--new-session',
    '--chdir', req.cwd,
    '--',
    BASH, '--noprofile', '--norc', '-c', req.command,
  ];
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
  const hidden = resolveHidden(req.hidePaths);
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
  options: { mode?: SandboxMode; bwrapPath?: string; platform?: NodeJS.Platform } = {},
): ConfinePlan {
  const unconfined = [BASH, '--noprofile', '--norc', '-c', req.command];
  const platform = options.platform ?? process.platform;
  if (options.mode === 'off') return { argv: unconfined, confined: false, confinement: 'none: sandbox turned off by the caller' };
  if (platform === 'linux') {
    const bwrap = options.bwrapPath ?? DEFAULT_BWRAP;
    const probe = probeBwrap(bwrap);
    if (!probe.usable) return { argv: unconfined, confined: false, confinement: `none: ${probe.reason}` };
    const hidden = resolveHidden(req.hidePaths).length;
    return {
      argv: bwrapArgv(req, bwrap),
      confined: true,
      confinement: `bwrap: ro root, rw workspace, private /tmp, ${req.network ? 'network granted' : 'no network'}, pid namespace, ${hidden} hidden path(s)`,
    };
  }
  if (platform === 'darwin') {
    const probe = probeSandboxExec();
    if (!probe.usable) return { argv: unconfined, confined: false, confinement: `none: ${probe.reason}` };
    return {
      argv: [SANDBOX_EXEC, '-p', macosProfile(req), ...unconfined],
      confined: true,
      confinement: `sandbox-exec: writes only to workspace and TMPDIR, ${req.network ? 'network granted' : 'no network'}`,
    };
  }
  return { argv: unconfined, confined: false, confinement: `none: no sandbox for platform ${platform}` };
}
