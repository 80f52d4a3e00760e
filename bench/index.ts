/**
 * `npm run bench`: one table of figures, each a ratio of NOME's work against the raw library (or
 * peer) doing the same work in the same run. Every `bench/*.bench.ts` module default-exports a
 * function returning rows; this harness runs them in name order and prints the table.
 *
 * Runtime: plain Node (through tsx).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './harness';

async function main(): Promise<void> {
  const dir = __dirname;
  const only = process.argv[2];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
    .sort();
  const rows: BenchRow[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: () => Promise<BenchRow[]> };
    process.stderr.write(`bench: ${file}…\n`);
    rows.push(...(await mod.default()));
  }
  const header = ['figure', 'NOME', 'baseline', 'ratio', 'goal', 'note'];
  const table = rows.map((r) => [r.figure, r.nome, r.baseline, r.ratio.toFixed(2) + '×', r.goal ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
