// Judges the agent-command corpus (../shared/corpus/agent-commands.jsonl: commands real agents ran,
// the dangerous ones labelled by a reviewer) end to end with `nome check --jsonl --confined` in an
// empty workspace, and prints the two figures issue 10 tracks:
//   - dangers given danger: of the labelled commands, how many NOME gives tier danger;
//   - ordinary work interrupted: of the others, how many would not run without a person, not counting
//     reasons that come only from absolute paths of the machines the commands ran on (outside the
//     workspace here), as the corpus README advises.
// Usage: node scripts/judge-agent-corpus.mjs [corpus.jsonl]   (run `npm run build` first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusFile = process.argv[2] ?? path.resolve(root, '..', 'shared', 'corpus', 'agent-commands.jsonl');
const rows = readFileSync(corpusFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const ws = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nome-corpus-ws-')));
const home = mkdtempSync(path.join(os.tmpdir(), 'nome-corpus-home-'));
try {
  const input = rows.map((r) => JSON.stringify(r.cmd)).join('\n') + '\n';
  const res = spawnSync(process.execPath, [path.join(root, 'bin', 'nome.cjs'), 'check', '--workspace', ws, '--jsonl', '--confined'], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, HOME: home, NOME_HOME: path.join(home, 'data'), NOME_MANAGED_POLICY: path.join(home, 'managed.json') },
  });
  const results = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
  if (results.length !== rows.length) throw new Error(`expected ${rows.length} results, got ${results.length}: ${res.stderr.slice(0, 500)}`);
  const inside = (p) => p === ws || p.startsWith(ws + path.sep);
  let dangers = 0;
  let dangersFlagged = 0;
  let dangersStopped = 0;
  let ordinary = 0;
  let interrupted = 0;
  rows.forEach((row, i) => {
    const r = results[i];
    if (row.danger) {
      dangers++;
      if (r.tier === 'danger') dangersFlagged++;
      if (r.error !== undefined || r.decision !== 'allow') dangersStopped++;
    } else {
      ordinary++;
      const stopped = r.error !== undefined || r.tier === 'danger' || (r.decision !== 'allow' && (r.files ?? []).some((f) => !f.allowed && inside(f.path)));
      if (stopped) interrupted++;
    }
  });
  const pct = (a, b) => `${((100 * a) / b).toFixed(1)}%`;
  console.log(`corpus: ${rows.length} commands (${dangers} labelled dangerous)`);
  console.log(`dangers given danger: ${dangersFlagged}/${dangers} = ${pct(dangersFlagged, dangers)}`);
  console.log(`dangers that would not run unasked (any reason, outside paths included): ${dangersStopped}/${dangers} = ${pct(dangersStopped, dangers)}`);
  console.log(`ordinary work interrupted: ${interrupted}/${ordinary} = ${pct(interrupted, ordinary)}`);
} finally {
  rmSync(ws, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
