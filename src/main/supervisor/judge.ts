/**
 * Judging a shell request: the policy engine's classification, every file target through the
 * permission gateway, and the tool policy matrix, combined so that the most restrictive answer
 * wins. Pure apart from reading the layer files; the supervisor and `nome check` both use it, so
 * what `nome check` prints is what the supervisor would do.
 *
 * Runtime: plain Node.
 */
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LayerFile } from '../layers';
import { createPermissionGateway } from '../permissions';
import { loadToolMatrix, staysInsideWorkspace, type ClassifyResult, type Decision, type PolicyEngine } from '../policy';

export interface FileCheck {
  path: string;
  access: 'read' | 'write';
  level: 'noAccess' | 'readOnly' | 'readWrite';
  allowed: boolean;
  decision: Decision;
  reason: string;
}

export interface Judgement {
  classification: ClassifyResult;
  files: FileCheck[];
  verdict: Decision;
  /** The rule that decided (`layer:pattern` or `layer:tool/tier`), null when the default did. */
  rule: string | null;
  /** Readable reasons for anything that is not a plain allow. */
  reasons: string[];
}

export interface JudgeInput {
  command: string;
  workspace: string;
  cwd?: string;
  /** Whether the OS sandbox confines commands here (executesCode → write instead of danger). */
  confined: boolean;
  env: NodeJS.ProcessEnv;
  home: string;
  /**
   * Whether the sandbox's view of this workspace holds every permission level (its indexes are
   * complete). When not given (`nome check`), the workspace is walked once to find out.
   */
  sandboxView?: { complete: boolean; reason: string | null };
  /** The layer files as read for this request (see layers/readLayers); read from disk when absent. */
  layers?: readonly LayerFile[];
}

const RANK: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * Shell options that change what a glob matches, by the word that turns them on (`shopt -s
 * dotglob`, `bash -O dotglob -c`, `env BASHOPTS=dotglob bash -c`). Any mention counts: turning one
 * off by mistake only makes the check stricter.
 */
const GLOB_OPTION_WORDS: readonly [RegExp, 'dot' | 'nocase'][] = [
  [/dotglob/, 'dot'],
  [/nocaseglob/, 'nocase'],
];

/**
 * Commands that can leave a symlink pointing anywhere at a path they write: `ln -s`, and archive
 * or repository content unpacked into the working directory (which is then written too). A path
 * reached through such a path later on the same command line (`ln -s ~ h && cat h/.aws/credentials`)
 * does not exist yet when the line is judged, so where it leads cannot be known in advance.
 */
const SYMLINK_MAKERS: Readonly<Record<string, { when: (args: string[]) => boolean; writesCwd: boolean }>> = {
  ln: { when: (args) => args.some((a) => a === '--symbolic' || /^-[^-]*s/.test(a)), writesCwd: false },
  cp: { when: (args) => args.some((a) => a === '--symbolic-link' || /^-[^-]*s/.test(a)), writesCwd: false },
  tar: { when: (args) => /^[^-]*x/.test(args[0] ?? '') || args.some((a) => a === '--extract' || a === '--get' || /^-[^-]*x/.test(a)), writesCwd: true },
  bsdtar: { when: (args) => /^[^-]*x/.test(args[0] ?? '') || args.some((a) => a === '--extract' || /^-[^-]*x/.test(a)), writesCwd: true },
  cpio: { when: (args) => args.some((a) => a === '--extract' || /^-[^-]*i/.test(a)), writesCwd: true },
  unzip: { when: () => true, writesCwd: true },
  '7z': { when: (args) => args[0] === 'x' || args[0] === 'e', writesCwd: true },
  git: { when: (args) => args.some((a) => /^(clone|checkout|switch|restore|reset|pull|merge|rebase|cherry-pick|revert|stash|apply|am|worktree)$/.test(a)), writesCwd: true },
};

/**
 * What `mv` and `git mv` on this line move where (absolute), so that a path reached at the
 * destination is also judged as what it was at the source: after `mv src dst`, `dst/x` is the old
 * `src/x` (which may be a symlink to `.env`). Moves carry what they move.
 */
function moves(commands: ClassifyResult['commands'], cwd: string, home: string): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  const abs = (p: string) => path.resolve(cwd, p.replace(/^~(?=\/|$)/, home));
  for (const c of commands) {
    if (c.dynamic) continue;
    let args: string[] | null = null;
    if (c.argv[0] === 'mv') args = c.argv.slice(1);
    else if (c.argv[0] === 'git' && c.argv[1] === 'mv') args = c.argv.slice(2);
    if (!args) continue;
    const positionals: string[] = [];
    let targetDir: string | null = null;
    let noTargetDir = false;
    for (let i = 0, options = true; i < args.length; i++) {
      const a = args[i]!;
      if (options && a === '--') options = false;
      else if (options && (a === '-t' || a === '--target-directory')) targetDir = args[++i] ?? null;
      else if (options && a.startsWith('--target-directory=')) targetDir = a.slice('--target-directory='.length);
      else if (options && a.startsWith('-t') && a.length > 2) targetDir = a.slice(2);
      else if (options && (a === '-T' || a === '--no-target-directory')) noTargetDir = true;
      else if (options && (a === '-S' || a === '--suffix')) i++;
      else if (options && a.startsWith('-') && a !== '-') continue;
      else positionals.push(a);
    }
    const sources = targetDir === null ? positionals.slice(0, -1) : positionals;
    const dest = targetDir ?? positionals.at(-1);
    if (dest === undefined || sources.length === 0) continue;
    const into = targetDir !== null || (!noTargetDir && (sources.length > 1 || isDirectory(abs(dest))));
    for (const s of sources) out.push({ from: abs(s), to: into ? path.join(abs(dest), path.basename(s)) : abs(dest) });
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `file` is a regular file now (not a symlink), e.g. the archive a maker reads. */
function regularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether `inner` lies strictly below `outer` (both absolute, lexically resolved). */
const below = (inner: string, outer: string) => inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);

export function judgeShell(policy: PolicyEngine, input: JudgeInput): Judgement {
  const workspace = path.resolve(input.workspace);
  const cwd = path.resolve(workspace, input.cwd ?? '.');
  const permissions = createPermissionGateway({ workspace, env: input.env, home: input.home, ...(input.layers ? { layers: input.layers } : {}) });
  let options = { workspace, confined: input.confined, home: input.home };
  let classification = policy.classify(input.command, options);
  const notes: string[] = [];
  // Code the command line does not show could read or write any file: it counts as confined only
  // when the sandbox holds every level of the workspace (its index is complete).
  if (classification.executesCode && input.confined) {
    const view = input.sandboxView ?? permissions.secretsUnder(workspace);
    if (!view.complete) {
      options = { ...options, confined: false };
      classification = policy.classify(input.command, options);
      notes.push(`the sandbox cannot enforce every permission level in the workspace (${view.reason ?? 'unknown'}), so code it runs counts as unconfined`);
    }
  }
  const reasons = [...notes, ...classification.reasons.filter((r) => r.tier !== 'read').map((r) => `${r.tier}: ${r.text}`)];
  let verdict: Decision = 'allow';
  let rule: string | null = null;
  const raise = (decision: Decision, why: string | null) => {
    if (RANK[decision] > RANK[verdict]) {
      verdict = decision;
      rule = why;
    }
  };

  const globOptions: { dot?: boolean; nocase?: boolean } = {};
  for (const word of classification.commands.flatMap((c) => c.argv)) for (const [re, option] of GLOB_OPTION_WORDS) if (re.test(word)) globOptions[option] = true;

  // Paths this line writes that a symlink maker on it may have turned into links.
  const makers = classification.commands.filter((c) => SYMLINK_MAKERS[c.argv[0] ?? '']?.when(c.argv.slice(1)));
  const linkRoots =
    makers.length === 0
      ? []
      : [
          ...classification.files.filter((t) => t.access === 'write' && !t.dynamic && !t.glob).map((t) => path.resolve(cwd, t.path.replace(/^~(?=\/|$)/, input.home))),
          ...(makers.some((c) => SYMLINK_MAKERS[c.argv[0]!]!.writesCwd) ? [cwd] : []),
        ];

  // The makers' own operands that are regular files already (the archive, the patch) are read before anything is made.
  const operands = new Set(makers.flatMap((c) => c.argv.slice(1)));
  const ownOperand = (target: (typeof classification.files)[number], resolved: string) =>
    target.access === 'read' && [...operands].some((w) => target.path === w || target.path.endsWith(`/${w}`)) && regularFile(resolved);

  const moved = moves(classification.commands, cwd, input.home);
  const files: FileCheck[] = [];
  for (const target of classification.files) {
    const resolved = path.resolve(cwd, target.path.replace(/^~(?=\/|$)/, input.home));
    // Reached at a move's destination: it is also what was at the source, judged where it is now.
    if (!target.dynamic && !target.glob) {
      for (const move of moved) {
        if (resolved !== move.to && !below(resolved, move.to)) continue;
        const was = move.from + resolved.slice(move.to.length);
        for (const check of permissions.check({ ...target, path: was, cwd, globOptions })) {
          const reason = `${check.reason} (it is reached as ${resolved}, where this command line moves it)`;
          files.push({ path: check.path, access: check.access, level: check.level, allowed: check.allowed, decision: check.decision, reason });
          if (check.decision !== 'allow') reasons.push(reason);
          raise(check.decision, check.winner ? `${check.winner.layer}:${check.winner.pattern}` : 'permissions');
        }
      }
    }
    const through = target.dynamic || ownOperand(target, resolved) ? undefined : linkRoots.find((root) => below(resolved, root));
    // Through a path that may become a symlink: as unknown as a computed path (the gateway asks,
    // or denies when the text as written already lands on a forbidden rule).
    const checked = through === undefined ? { ...target, cwd, globOptions } : { ...target, cwd, globOptions, dynamic: true };
    for (const check of permissions.check(checked)) {
      if (through !== undefined && check.decision === 'ask') check.reason = `${check.reason} (it is reached through ${through}, which this command line may create as a symlink)`;
      files.push({ path: check.path, access: check.access, level: check.level, allowed: check.allowed, decision: check.decision, reason: check.reason });
      if (check.decision !== 'allow') reasons.push(check.reason);
      raise(check.decision, check.winner ? `${check.winner.layer}:${check.winner.pattern}` : 'permissions');
    }
  }
  for (const error of permissions.errors) reasons.push(`permissions: ${error}`);

  const matrix = loadToolMatrix(workspace, input.env, input.layers);
  for (const error of matrix.errors) reasons.push(`policy: ${error}`);
  const cwdInside = cwd === workspace || cwd.startsWith(workspace + path.sep);
  const matrixDecision = matrix.decide('shell', classification.tier, { insideWorkspace: cwdInside && staysInsideWorkspace(classification, options) });
  raise(matrixDecision.decision, `${matrixDecision.layer}:shell/${classification.tier}`);
  if (!cwdInside) {
    raise('deny', 'cwd-outside-workspace');
    reasons.push(`the working directory ${cwd} is outside the workspace ${workspace}`);
  }
  return { classification, files, verdict, rule, reasons };
}
