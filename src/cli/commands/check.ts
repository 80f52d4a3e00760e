/**
 * `nome check --workspace DIR [--json] [--confined] -- "<command>"`: the classification plus the
 * decision of the tool policy matrix for the `shell` tool. Exit 0 whatever the decision (2 on
 * usage errors). Runtime: plain Node.
 *
 * JSON: the `nome classify --json` object plus `"decision"`. Matrix layer problems go to stderr
 * (they are already read as deny).
 */
import { existsSync } from 'node:fs';
import { createPolicyEngine, loadToolMatrix, staysInsideWorkspace, type ClassifyOptions, type ClassifyResult, type Decision } from '../../main/policy';
import { parse, UsageError } from '../usage';
import { commandFrom, contractJson, optionsFrom, plainReport } from './classify';

const RANK: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * SEAM — file levels from the permission gateway (src/main/permissions). When it is wired in,
 * each of `result.files` is checked there; any violation makes the decision `deny`, a target the
 * gateway cannot check in advance makes it at least `ask`, and the levels are added to the JSON
 * output as `"files"` entries' levels. Until then the matrix decision stands alone.
 */
export function mergeFileLevels(decision: Decision, _result: ClassifyResult, _options: ClassifyOptions): { decision: Decision; extra: Record<string, unknown> } {
  return { decision, extra: {} };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, workspace: { type: 'string' }, confined: { type: 'boolean' } });
  if (values.workspace === undefined) throw new UsageError('--workspace DIR is required');
  const options = optionsFrom(values);
  if (!existsSync(options.workspace!)) throw new UsageError(`workspace ${options.workspace} does not exist`);
  const command = commandFrom(positionals);
  const engine = await createPolicyEngine();
  const result = engine.classify(command, options);
  const matrix = loadToolMatrix(options.workspace!);
  for (const e of matrix.errors) process.stderr.write(`nome check: ${e}\n`);
  const matrixDecision = matrix.decide('shell', result.tier, { insideWorkspace: staysInsideWorkspace(result, options) });
  const merged = mergeFileLevels(matrixDecision.decision, result, options);
  const decision = RANK[merged.decision] >= RANK[matrixDecision.decision] ? merged.decision : matrixDecision.decision;
  if (values.json) process.stdout.write(JSON.stringify({ ...contractJson(result), decision, ...merged.extra }) + '\n');
  else process.stdout.write(plainReport(command, result, `${decision} (${matrixDecision.layer}${matrixDecision.source !== matrixDecision.layer ? `: ${matrixDecision.source}` : ''})`));
  return 0;
}
