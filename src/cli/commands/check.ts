/**
 * `nome check --workspace DIR [--json|--jsonl] [--confined|--unconfined] -- "<command>"`: the classification plus the
 * decision the supervisor would reach for the `shell` tool (file permissions and the matrix). Exit 0 whatever the decision (2 on
 * usage errors). Runtime: plain Node.
 *
 * JSON: the `nome classify --json` object plus `"decision"`, with `"files"` carrying each target's
 * level from the permission gateway and whether the access is allowed. Layer file problems go to
 * stderr (they are already read as the most restrictive reading).
 */
import { existsSync, realpathSync } from 'node:fs';
// The probe alone, not the runner: `nome check` does not load node-pty.
import { probeSandbox } from '../../main/sandbox/confine';
import os from 'node:os';
import { createPolicyEngine } from '../../main/policy';
import { judgeShell } from '../../main/supervisor/judge';
import { printable, printableJson } from '../printable';
import { parse, UsageError } from '../usage';
import { commandFrom, contractJson, eachJsonlCommand, optionsFrom, plainReport } from './classify';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean' },
    jsonl: { type: 'boolean' },
    workspace: { type: 'string' },
    confined: { type: 'boolean' },
    unconfined: { type: 'boolean' },
  });
  if (values.workspace === undefined) throw new UsageError('--workspace DIR is required');
  if (values.confined && values.unconfined) throw new UsageError('--confined and --unconfined exclude each other');
  const options = optionsFrom(values);
  if (!existsSync(options.workspace!)) throw new UsageError(`workspace ${options.workspace} does not exist`);
  // One truth: by default, what the supervisor would do here, which probes the sandbox; the flags
  // answer what-if questions.
  const confined = values.confined ? true : values.unconfined ? false : probeSandbox().confined;
  const engine = await createPolicyEngine();
  const workspace = realpathSync(options.workspace!);
  // What the supervisor would decide (without asking anyone): policy, file permissions, matrix.
  const judge = (command: string) => judgeShell(engine, { command, workspace, confined, env: process.env, home: options.home ?? process.env.HOME ?? os.homedir() });
  const json = (judgement: ReturnType<typeof judge>) => ({
    ...contractJson(judgement.classification),
    files: judgement.files.map((f) => ({ path: f.path, access: f.access, level: f.level, allowed: f.allowed })),
    decision: judgement.verdict,
    confined,
  });
  if (values.jsonl) {
    if (positionals.length > 0) throw new UsageError('--jsonl reads commands from stdin; give no command arguments');
    return (await eachJsonlCommand((command) => json(judge(command)))) ? 1 : 0;
  }
  const command = commandFrom(positionals);
  const judgement = judge(command);
  for (const r of judgement.reasons.filter((x) => x.startsWith('policy: ') || x.startsWith('permissions: '))) process.stderr.write(`nome check: ${printable(r)}\n`);
  if (values.json) {
    process.stdout.write(printableJson(json(judgement)) + '\n');
  } else {
    let report = plainReport(command, judgement.classification, `${judgement.verdict}${judgement.rule ? ` (${printable(judgement.rule)})` : ''}${confined ? '' : ', unconfined'}`);
    for (const f of judgement.files) report += `  file ${f.access.padEnd(5)} ${f.level.padEnd(9)} ${f.allowed ? 'ok    ' : 'DENIED'} ${printable(f.path)}\n`;
    process.stdout.write(report);
  }
  return 0;
}
