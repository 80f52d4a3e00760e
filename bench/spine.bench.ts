/** End-to-end latency of the spine: `nome exec -- true` through a running `nome serve` vs `bash -c true`. */
import { spawnSync } from 'node:child_process';
import { makeSandbox, nomeBin, startServer } from '../test/support/nome';
import { fmtMs, percentile, type BenchRow } from './harness';

const RUNS = 30;

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { env, cwd, stdio: 'ignore' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export default async function bench(): Promise<BenchRow[]> {
  const box = makeSandbox();
  const server = await startServer(box);
  try {
    const nome: number[] = [];
    const bash: number[] = [];
    timed(process.execPath, [nomeBin, 'exec', '--', 'true'], box.env, box.workspace); // warm-up
    for (let i = 0; i < RUNS; i++) {
      nome.push(timed(process.execPath, [nomeBin, 'exec', '--', 'true'], box.env, box.workspace));
      bash.push(timed('bash', ['-c', 'true'], box.env, box.workspace));
    }
    const node = median(Array.from({ length: 10 }, () => timed(process.execPath, ['-e', '0'], box.env, box.workspace)));
    return [
      {
        figure: `nome exec -- true, end to end (median of ${RUNS})`,
        nome: fmtMs(median(nome)),
        baseline: fmtMs(median(bash)),
        ratio: median(nome) / median(bash),
        note: `bash -c true is the baseline; Node's own start-up alone is ${fmtMs(node)}`,
      },
    ];
  } finally {
    await server.stop();
  }
}
