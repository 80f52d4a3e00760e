/**
 * Where a file target lands, for tiering: inside the workspace, outside it, or somewhere whose
 * writes make other programs run code (shell start-up files, ~/.ssh, /etc, git hooks…).
 * Symlinks are not resolved here: the permission gateway canonicalises paths; the tier only
 * needs the path as written. Runtime: plain Node.
 */
import os from 'node:os';
import path from 'node:path';
import type { Tier } from './types';

/** Device files that are not devices in any harmful sense. */
const HARMLESS_DEVICES = /^\/dev\/(null|zero|stdin|stdout|stderr|tty|fd\/\d+|full|random|urandom)$/;

/** Base names whose writes run code later (start-up files and tool configuration). */
const STARTUP_FILES = new Set([
  '.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zprofile', '.zshenv', '.zlogin',
  '.zlogout', '.kshrc', '.cshrc', '.tcshrc', '.inputrc', '.envrc', '.gitconfig', '.gitmodules', '.ripgreprc', '.mcp.json',
  '.npmrc', '.yarnrc', '.yarnrc.yml', '.pypirc', '.netrc', '.curlrc', '.wgetrc', 'config.fish', '.xinitrc', '.xprofile',
]);

/**
 * Path segments under which any write plants configuration or code that runs later: submodule
 * and worktree git directories (.git/modules/x/hooks) included. Case-insensitive, as macOS's and
 * Windows' file systems are (.GIT/hooks is .git/hooks there).
 */
const SENSITIVE_SEGMENTS = [/(^|\/)\.ssh(\/|$)/i, /(^|\/)\.git\/(.*\/)?(config(\.worktree)?$|hooks(\/|$)|info\/attributes$)/i, /(^|\/)\.vscode\//i, /(^|\/)\.idea\//i, /(^|\/)\.claude\//i, /(^|\/)\.config\/(fish|git|autostart|systemd)\//i, /(^|\/)\.gnupg(\/|$)/i, /(^|\/)\.aws\//i, /(^|\/)\.kube\//i, /(^|\/)\.docker\//i, /(^|\/)Library\/LaunchAgents\//i];

export interface PathContext {
  workspace: string | null;
  home: string;
}

export function defaultHome(): string {
  return os.homedir();
}

/** Absolute form of a static path; null when it cannot be placed (`~user`, dynamic). */
export function resolvePath(p: string, ctx: PathContext): string | null {
  if (p === '~' || p.startsWith('~/')) return path.join(ctx.home, p.slice(1));
  if (p.startsWith('~')) return null;
  if (path.isAbsolute(p)) return path.normalize(p);
  return path.resolve(ctx.workspace ?? '/nonexistent-cwd', p);
}

export function isInside(abs: string, ctx: PathContext): boolean {
  if (ctx.workspace === null) return !abs.startsWith('/') || abs.startsWith('/nonexistent-cwd');
  const ws = ctx.workspace.endsWith(path.sep) ? ctx.workspace.slice(0, -1) : ctx.workspace;
  return abs === ws || abs.startsWith(ws + path.sep);
}

export function isHarmlessDevice(p: string): boolean {
  return HARMLESS_DEVICES.test(p);
}

export interface WriteVerdict {
  tier: Tier;
  rule: string;
  text: string;
}

/** The tier of writing (or deleting, creating…) a static path. */
export function writeVerdict(p: string, ctx: PathContext): WriteVerdict {
  if (p.startsWith('/dev/')) return { tier: 'danger', rule: 'file.device', text: `writes to the device ${p}` };
  const abs = resolvePath(p, ctx);
  if (abs === null) return { tier: 'danger', rule: 'file.other-home', text: `writes to another user's home (${p})` };
  const base = path.basename(abs);
  if (STARTUP_FILES.has(base) || STARTUP_FILES.has(base.toLowerCase())) return { tier: 'danger', rule: 'file.startup', text: `writes ${base}, a start-up/configuration file that runs code or holds credentials` };
  for (const re of SENSITIVE_SEGMENTS) if (re.test(abs)) return { tier: 'danger', rule: 'file.sensitive', text: `writes under ${p}, configuration that runs code or holds keys` };
  if (abs === '/' || abs.startsWith('/etc/') || abs === '/etc') return { tier: 'danger', rule: 'file.system', text: `writes system files (${p})` };
  if (!isInside(abs, ctx)) return { tier: 'danger', rule: 'file.outside-workspace', text: `writes outside the workspace (${p})` };
  if (ctx.workspace !== null && abs === ctx.workspace.replace(/\/$/, '')) return { tier: 'write', rule: 'file.workspace-root', text: 'writes the workspace root' };
  return { tier: 'write', rule: 'file.write', text: `writes ${p}` };
}
