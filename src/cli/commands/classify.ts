/**
 * `nome classify [--json|--jsonl] [--workspace DIR] [--confined] -- "<command>"`: the policy
 * engine's verdict on a shell command. Exit 0 whatever the tier (2 on usage errors); with --jsonl,
 * exit 1 at the end when any input line was not a JSON string. Runtime: plain Node.
 *
 * JSON output is a stable contract: {tier, executesCode, reasons[{rule,tier,text,span}],
 * commands[{argv,tier,dynamic}], files[{path,access}]}; spans are UTF-8 byte offsets.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createPolicyEngine, type ClassifyOptions, type ClassifyResult } from '../../main/policy';
import { utf16Index } from '../../main/policy/spans';
import { printable, printableJson } from '../printable';
import { parse, UsageError } from '../usage';

/** The contract's shape, key order included: nothing more, nothing less. */
export function contractJson(result: ClassifyResult): Record<string, unknown> {
  return {
    tier: result.tier,
    executesCode: result.executesCode,
    reasons: result.reasons.map((r) => ({ rule: r.rule, tier: r.tier, text: r.text, span: [r.span[0], r.span[1]] })),
    commands: result.commands.map((c) => ({ argv: c.argv, tier: c.tier, dynamic: c.dynamic })),
    files: result.files.map((f) => ({ path: f.path, access: f.access })),
  };
}

/** For people: the tier, then each reason with the command underlined at its span. */
/** `decision`: nome check's verdict, whose own file lines (with levels) replace the plain targets. */
export function plainReport(command: string, result: ClassifyResult, decision?: string): string {
  const lines: string[] = [`tier: ${result.tier}${result.executesCode ? ' (executes code)' : ''}`];
  if (decision) lines.push(`decision: ${decision}`);
  for (const r of result.reasons) {
    lines.push(`  ${r.tier.padEnd(6)} ${r.rule}: ${printable(r.text)}`);
    const start = utf16Index(command, r.span[0]);
    const end = Math.max(start + 1, utf16Index(command, r.span[1]));
    const lineStart = command.lastIndexOf('\n', start - 1) + 1;
    const nl = command.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? command.length : nl;
    const text = command.slice(lineStart, lineEnd);
    // Shown escaped, so the caret counts the escaped characters too.
    lines.push(`         ${printable(text)}`);
    lines.push(`         ${' '.repeat([...printable(command.slice(lineStart, start))].length)}${'^'.repeat(Math.max(1, [...printable(command.slice(start, Math.min(end, lineEnd)))].length))}`);
  }
  if (decision === undefined) for (const f of result.files) lines.push(`  file ${f.access.padEnd(5)} ${printable(f.path)}${f.dynamic ? ' (dynamic)' : ''}${f.recursive ? ' (whole subtree)' : ''}`);
  return lines.join('\n') + '\n';
}

/**
 * The --jsonl batch mode shared by classify and check: one JSON-encoded command per stdin line, one
 * JSON result per line; a bad line gets `{"error":…}` and the run goes on. Resolves true when any
 * line was bad (the caller exits 1).
 */
export async function eachJsonlCommand(result: (command: string) => unknown): Promise<boolean> {
  let failed = false;
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    let command: unknown;
    try {
      command = JSON.parse(line);
    } catch (error) {
      failed = true;
      process.stdout.write(JSON.stringify({ error: `not valid JSON: ${(error as Error).message}` }) + '\n');
      continue;
    }
    if (typeof command !== 'string') {
      failed = true;
      process.stdout.write(JSON.stringify({ error: 'each line must be a JSON-encoded string' }) + '\n');
      continue;
    }
    process.stdout.write(printableJson(result(command)) + '\n');
  }
  return failed;
}

export function commandFrom(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError('give the command after --, e.g. nome classify --json -- "ls -la"');
  return positionals.join(' ');
}

export function optionsFrom(values: { workspace?: string; confined?: boolean }): ClassifyOptions {
  return { workspace: path.resolve(values.workspace ?? process.cwd()), confined: values.confined === true };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean' },
    jsonl: { type: 'boolean' },
    workspace: { type: 'string' },
    confined: { type: 'boolean' },
  });
  const engine = await createPolicyEngine();
  const options = optionsFrom(values);
  if (values.jsonl) {
    if (positionals.length > 0) throw new UsageError('--jsonl reads commands from stdin; give no command arguments');
    return (await eachJsonlCommand((command) => contractJson(engine.classify(command, options)))) ? 1 : 0;
  }
  const command = commandFrom(positionals);
  const result = engine.classify(command, options);
  process.stdout.write(values.json ? printableJson(contractJson(result)) + '\n' : plainReport(command, result));
  return 0;
}
