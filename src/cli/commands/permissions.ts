/**
 * `nome permissions explain --workspace DIR [--json] PATH`: why a path has its permission level
 * (every matching rule of every layer, and the winner). Runtime: plain Node.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createPermissionGateway, describeRule, type Explanation } from '../../main/permissions';
import { printable, printableJson } from '../printable';
import { parse, UsageError } from '../usage';

const usage = 'usage: nome permissions explain [--workspace DIR] [--json] PATH';

function human(ex: Explanation): string {
  const lines = [`${ex.path}: ${ex.level}`];
  if (ex.error) lines.push(`  error: ${ex.error}`);
  lines.push(ex.winner ? `  winner: ${describeRule(ex.winner)}` : `  no rule matches: the default applies`);
  if (ex.matches.length > 0) {
    const rows = ex.matches.map((m) => [
      m === ex.winner ? '*' : ' ',
      m.layer,
      m.line === null ? m.source : `${m.source}:${m.line}`,
      m.pattern,
      m.level,
      m.matchedPath === ex.path ? '' : `(as ${m.matchedPath})`,
    ]);
    const header = [' ', 'layer', 'source', 'pattern', 'level', ''];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) lines.push(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}`);
  }
  return lines.map((s) => printable(s)).join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'explain') throw new UsageError(sub === undefined ? usage : `unknown subcommand "${sub}"\n${usage}`);
  const { values, positionals } = parse(rest, { workspace: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError(usage);
  const workspace = path.resolve(values.workspace ?? '.');
  if (!existsSync(workspace)) throw new UsageError(`workspace ${workspace} does not exist`);
  const gateway = createPermissionGateway({ workspace });
  for (const error of gateway.errors) process.stderr.write(`nome permissions: ${printable(error)}\n`);
  const ex = gateway.explain(positionals[0]!);
  process.stdout.write(values.json ? `${printableJson(ex)}\n` : human(ex));
  return 0;
}
