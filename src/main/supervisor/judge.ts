/**
 * Judging a shell request: the policy engine's classification, every file target through the
 * permission gateway, and the tool policy matrix, combined so that the most restrictive answer
 * wins. Pure apart from reading the layer files; the supervisor and `nome check` both use it, so
 * what `nome check` prints is what the supervisor would do.
 *
 * Runtime: plain Node.
 */
import path from 'node:path';
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
  /** Files in the workspace the OS sandbox must hide (noAccess), for commands that run code the line does not show. */
  hidePaths: string[];
}

export interface JudgeInput {
  command: string;
  workspace: string;
  cwd?: string;
  /** Whether the OS sandbox confines commands here (executesCode → write instead of danger). */
  confined: boolean;
  env: NodeJS.ProcessEnv;
  home: string;
}

const RANK: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };

export function judgeShell(policy: PolicyEngine, input: JudgeInput): Judgement {
  const workspace = path.resolve(input.workspace);
  const cwd = path.resolve(workspace, input.cwd ?? '.');
  const permissions = createPermissionGateway({ workspace, env: input.env, home: input.home });
  let options = { workspace, confined: input.confined, home: input.home };
  let classification = policy.classify(input.command, options);
  const notes: string[] = [];
  // Code the command line does not show could read any file: the sandbox hides the workspace's
  // noAccess files from it. When they cannot all be found, the sandbox cannot be counted on.
  let hidePaths: string[] = [];
  if (classification.executesCode && input.confined) {
    const secrets = permissions.secretsUnder(workspace);
    if (secrets.complete) hidePaths = secrets.paths;
    else {
      options = { ...options, confined: false };
      classification = policy.classify(input.command, options);
      notes.push(`the sandbox cannot hide every protected file in the workspace (${secrets.reason}), so code it runs counts as unconfined`);
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

  const files: FileCheck[] = [];
  for (const target of classification.files) {
    for (const check of permissions.check({ ...target, cwd })) {
      files.push({ path: check.path, access: check.access, level: check.level, allowed: check.allowed, decision: check.decision, reason: check.reason });
      if (check.decision !== 'allow') reasons.push(check.reason);
      raise(check.decision, check.winner ? `${check.winner.layer}:${check.winner.pattern}` : 'permissions');
    }
  }
  for (const error of permissions.errors) reasons.push(`permissions: ${error}`);

  const matrix = loadToolMatrix(workspace, input.env);
  for (const error of matrix.errors) reasons.push(`policy: ${error}`);
  const cwdInside = cwd === workspace || cwd.startsWith(workspace + path.sep);
  const matrixDecision = matrix.decide('shell', classification.tier, { insideWorkspace: cwdInside && staysInsideWorkspace(classification, options) });
  raise(matrixDecision.decision, `${matrixDecision.layer}:shell/${classification.tier}`);
  if (!cwdInside) {
    raise('deny', 'cwd-outside-workspace');
    reasons.push(`the working directory ${cwd} is outside the workspace ${workspace}`);
  }
  return { classification, files, verdict, rule, reasons, hidePaths };
}
