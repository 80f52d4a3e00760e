import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { runCommand, type RunOptions, type RunResult } from '../../../src/main/sandbox';

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function defaults(workspace: string, over: Partial<RunOptions> = {}): RunOptions {
  return {
    command: 'true',
    cwd: workspace,
    workspace,
    env: process.env,
    timeoutMs: 60_000,
    outputCapBytes: 64 * 1024 * 1024,
    network: false,
    hidePaths: [],
    ...over,
  };
}

/** Run to completion with a consumer that acknowledges everything at once. */
export async function run(options: RunOptions): Promise<{ text: string; result: RunResult; chunks: number }> {
  const handle = runCommand(options);
  let text = '';
  let chunks = 0;
  handle.onData((chunk) => {
    text += chunk;
    chunks++;
    handle.ack(Buffer.byteLength(chunk));
  });
  const result = await handle.result;
  return { text, result, chunks };
}

/** Live (non-zombie) processes whose command line contains `needle` (or whose argv[0] starts with it). */
export function liveProcesses(needle: string, match: 'anywhere' | 'argv0' = 'anywhere'): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (match === 'argv0' ? !cmdline.startsWith(needle) : !cmdline.includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Poll until `check` holds or `limitMs` passes; returns whether it held. Not a timing assertion. */
export async function eventually(check: () => boolean, limitMs = 10_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}
