/**
 * Standing approvals: the "always" answer. A person who answers "always" creates a rule that
 * approves exactly that command from then on, without asking.
 *
 * Where they live: the `approvals` section of the **user** layer file (`$NOME_HOME/permissions.json`),
 * scoped to one workspace (`"workspace": "/abs/path"`) or to every workspace (no `workspace`).
 * The managed (org) layer may hold them too. They are deliberately not read from the workspace
 * layers: those files come with a cloned repository, and a repository must not be able to
 * pre-approve its own commands.
 *
 * What one approves: the command text exactly as written, for the shell tool. Nothing else, not
 * even the same command with one character changed, so the preview can say precisely what the rule
 * allows. It only answers an `ask`: a command that the permissions or the matrix deny stays denied.
 *
 * Never offered for interpreters and wrappers (`python -c`, `bash -c`, `env`, `sudo`, `node -e`…):
 * the text of those says little about what runs.
 *
 * Runtime: plain Node.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { layerSources, readLayerFile, type LayerFile, type LayerSource } from '../layers';

/** Programs whose command line does not show what they run. */
export const NEVER_ALWAYS = new Set([
  'bash', 'sh', 'zsh', 'dash', 'ksh', 'fish', 'csh', 'tcsh',
  'python', 'python2', 'python3', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'Rscript', 'osascript', 'pwsh', 'powershell',
  'env', 'sudo', 'doas', 'su', 'pkexec', 'eval', 'exec', 'command', 'builtin', 'xargs', 'nohup', 'time', 'timeout', 'nice', 'ionice',
  'stdbuf', 'setsid', 'watch', 'ssh', 'find', 'awk', 'gawk', 'mawk', 'nawk', 'sed', 'npx', 'pnpx', 'bunx', 'uvx', 'pipx',
]);

export interface StandingApproval {
  tool: 'shell';
  command: string;
  /** Absent: every workspace. */
  workspace?: string;
}

export interface AlwaysOffer {
  offered: boolean;
  /** What the rule would allow, in words (when offered), or why it is not offered. */
  text: string;
}

/** Whether "always" may be offered for a classified command, and the preview of what it allows. */
export function alwaysOffer(command: string, commands: readonly { argv: readonly string[]; dynamic: boolean }[], workspace: string): AlwaysOffer {
  const wrapper = commands.find((c) => c.argv[0] !== undefined && NEVER_ALWAYS.has(path.basename(c.argv[0])));
  if (wrapper) return { offered: false, text: `not offered: \`${wrapper.argv[0]}\` runs code its command line does not show` };
  if (commands.length === 0 || commands.some((c) => c.dynamic)) return { offered: false, text: 'not offered: part of the command is only known when it runs' };
  return {
    offered: true,
    text: `From now on, exactly \`${command}\` runs without asking in ${workspace}. Any other command, even one differing by a single character, still asks; file permissions and denials still apply.`,
  };
}

interface Loaded {
  approvals: { entry: StandingApproval; where: string }[];
  errors: string[];
}

const trusted = (source: LayerSource) => source.layer === 'user' || source.layer === 'managed';

/** Reads the standing approvals of the trusted layers. A broken entry approves nothing. */
export function loadStandingApprovals(workspace: string | null, env: NodeJS.ProcessEnv = process.env, layers?: readonly LayerFile[]): Loaded {
  const approvals: Loaded['approvals'] = [];
  const errors: string[] = [];
  for (const file of (layers ?? layerSources(workspace, env).map(readLayerFile)).filter(trusted)) {
    const source = file;
    if (file.error) errors.push(file.error);
    const section = (file.json as { approvals?: unknown } | null)?.approvals;
    if (section === undefined) continue;
    if (!Array.isArray(section)) {
      errors.push(`${file.where(['approvals'])}: "approvals" must be an array`);
      continue;
    }
    section.forEach((raw: unknown, i) => {
      const e = raw as Partial<StandingApproval> | null;
      const ok =
        typeof e === 'object' && e !== null && e.tool === 'shell' && typeof e.command === 'string' && e.command.length > 0 &&
        (e.workspace === undefined || (typeof e.workspace === 'string' && path.isAbsolute(e.workspace)));
      if (ok) approvals.push({ entry: e as StandingApproval, where: `${source.layer}:${file.where(['approvals', i])}` });
      else errors.push(`${file.where(['approvals', i])}: not a standing approval ({"tool":"shell","command":…,"workspace"?:…}); ignored`);
    });
  }
  return { approvals, errors };
}

/** The rule approving `command` in `workspace`, as `layer:file:line`, or null. */
export function standingApprovalFor(command: string, workspace: string, env: NodeJS.ProcessEnv = process.env, layers?: readonly LayerFile[]): string | null {
  const { approvals } = loadStandingApprovals(workspace, env, layers);
  const hit = approvals.find(({ entry }) => entry.command === command && (entry.workspace === undefined || path.resolve(entry.workspace) === path.resolve(workspace)));
  return hit ? hit.where : null;
}

/** Adds a standing approval to the user layer file, keeping everything else in it. */
export function addStandingApproval(approval: StandingApproval, env: NodeJS.ProcessEnv = process.env): string {
  const user = layerSources(null, env).find((s) => s.layer === 'user')!;
  const file = readLayerFile(user);
  if (file.error) throw new Error(`cannot add the rule: ${file.error}`);
  const json = (file.json ?? {}) as { approvals?: unknown };
  const list = Array.isArray(json.approvals) ? json.approvals : [];
  if (!list.some((e: StandingApproval) => e?.command === approval.command && e?.workspace === approval.workspace)) list.push(approval);
  const next = { ...json, approvals: list };
  mkdirSync(path.dirname(user.path), { recursive: true, mode: 0o700 });
  const tmp = `${user.path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, user.path);
  return user.path;
}
