/**
 * What a confined command sees outside the workspace, as data: the private areas replaced by an
 * empty tmpfs (every home, runtime sockets, variable data, mounts, anything at the top of the file
 * system that is not the system's software or configuration), and the toolchains bound back
 * read-only from a home so that compilers and interpreters installed there still run.
 *
 * Why hide whole areas rather than list secrets: credentials sit under name patterns (`.env`,
 * `*.pem`, `id_*`) in any directory of a home, and sockets (ssh-agent, gpg-agent, D-Bus, docker,
 * NOME's own gateway) in runtime directories; no list of paths can name them all in advance, but
 * hiding where people keep things covers them wherever they sit. What is bound back is installed
 * software (not scanned); a user or an org adds more with `"sandbox": {"expose": [...]}` in the
 * user or managed layer, and those paths are scanned for noAccess entries and sockets like the
 * system directories that stay visible (see SCANNED_SYSTEM_DIRS).
 *
 * Runtime: plain Node.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { layerSources, readLayerFile, type LayerFile } from '../layers';
import { isWithin } from './paths';

/** Top-level directories holding the system's software: visible, read-only, not scanned (package-managed). */
export const SYSTEM_DIRS: readonly string[] = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/usr', '/nix', '/snap', '/gnu', '/dev', '/proc', '/sys'];

/**
 * Visible system directories where an administrator may leave secrets, sockets or files only root
 * can read: visible read-only, and scanned so that noAccess entries, Unix sockets and (when NOME
 * runs as root) entries others may not read are masked.
 */
export const SCANNED_SYSTEM_DIRS: readonly string[] = ['/etc', '/opt', '/usr/local', '/boot'];

/** Always private on Linux: homes, runtime state and sockets, variable data, mounts. */
const LINUX_PRIVATE: readonly string[] = ['/home', '/root', '/run', '/var', '/mnt', '/media', '/srv'];
const DARWIN_PRIVATE: readonly string[] = ['/Users', '/Volumes', '/private/var/run', '/private/var/folders', '/private/tmp'];

/**
 * Toolchains under a home directory that commands need (compilers, interpreters, package caches
 * they build from, git's user config), bound back read-only when present. Credential files that
 * live in some of them (`~/.cargo/credentials.toml`) are built-in noAccess rules, masked as usual.
 */
export const HOME_TOOLCHAINS: readonly string[] = [
  '.local/bin',
  '.local/lib',
  '.local/share/pnpm',
  '.cargo',
  '.rustup',
  '.pyenv',
  '.rbenv',
  '.nvm',
  '.volta',
  '.fnm',
  '.asdf',
  '.sdkman',
  '.bun',
  '.deno',
  '.ghcup',
  '.nix-profile',
  '.opam',
  'go',
  '.m2/repository',
  '.gradle/caches',
  '.gradle/wrapper',
  '.gitconfig',
  '.config/git',
];

/**
 * The private areas: the fixed list, the home directories given (when they lie elsewhere), and on
 * Linux every top-level directory that is neither system nor scanned (`/work`, `/data`, …): what
 * is not known to be the system's is treated as someone's.
 */
export function privateAreas(homes: readonly string[], platform: NodeJS.Platform = process.platform, listRoot: () => string[] = topLevelDirectories): string[] {
  const fixed = platform === 'darwin' ? DARWIN_PRIVATE : LINUX_PRIVATE;
  const out = new Set(fixed);
  if (platform === 'linux') {
    const known = new Set([...SYSTEM_DIRS, ...SCANNED_SYSTEM_DIRS, ...LINUX_PRIVATE, '/tmp']);
    let top: string[] = [];
    try {
      top = listRoot();
    } catch {
      // An unreadable root hides nothing extra; the fixed list still applies.
    }
    for (const name of top) {
      const p = `/${name}`;
      if (!known.has(p)) out.add(p);
    }
  }
  for (const home of homes) if (home && path.isAbsolute(home) && ![...out].some((a) => isWithin(home, a))) out.add(path.resolve(home));
  // /tmp is private already (its own tmpfs); / itself can never be an area.
  return [...out].filter((p) => p !== '/' && p !== '/tmp');
}

/** The real directories at the top of the file system (files and symlinks to elsewhere are not areas). */
function topLevelDirectories(): string[] {
  return readdirSync('/', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}

/** The toolchains of HOME_TOOLCHAINS under each home (absolute; existence is checked by the sandbox). */
export function toolchainPaths(homes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const home of homes) if (home && path.isAbsolute(home)) for (const rel of HOME_TOOLCHAINS) out.add(path.join(home, rel));
  return [...out];
}

export interface ExposeSetting {
  /** Absolute paths the user or the org added, to be scanned and bound back read-only. */
  paths: string[];
  /** Entries that could not be used, as `file:line: message` (each is ignored: exposing nothing is the stricter reading). */
  errors: string[];
}

/**
 * `"sandbox": {"expose": ["~/.sdkman", "/data/models"]}` from the managed and user layers. A
 * workspace's own layers are never read for this: a cloned repository must not widen its sandbox.
 */
export function exposeSetting(home: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, layers?: readonly LayerFile[]): ExposeSetting {
  const paths: string[] = [];
  const errors: string[] = [];
  const files = layers ? layers.filter((f) => f.layer === 'user' || f.layer === 'managed') : layerSources(null, env, platform).map(readLayerFile);
  for (const file of files) {
    if (file.error) {
      errors.push(file.error);
      continue;
    }
    const sandbox = (file.json as { sandbox?: unknown } | null)?.sandbox;
    if (sandbox === undefined) continue;
    const expose = typeof sandbox === 'object' && sandbox !== null && !Array.isArray(sandbox) ? (sandbox as { expose?: unknown }).expose : undefined;
    if (!Array.isArray(expose)) {
      errors.push(`${file.where(['sandbox'])}: "sandbox" must be {"expose": ["~/path", "/abs/path", …]}; ignored`);
      continue;
    }
    expose.forEach((entry, i) => {
      if (typeof entry !== 'string' || !(entry.startsWith('/') || entry.startsWith('~/')) || entry.split('/').includes('..') || entry.includes('\0')) {
        errors.push(`${file.where(['sandbox', 'expose', i])}: an exposed path must be absolute or start with "~/", without ".."; ignored`);
        return;
      }
      const resolved = entry.startsWith('~/') ? path.join(home, entry.slice(2)) : path.resolve(entry);
      if (resolved === '/' ) {
        errors.push(`${file.where(['sandbox', 'expose', i])}: "/" cannot be exposed; ignored`);
        return;
      }
      paths.push(resolved);
    });
  }
  return { paths, errors };
}
