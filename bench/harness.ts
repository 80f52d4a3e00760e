/** Shared pieces of the bench harness. Runtime: plain Node. */
export interface BenchRow {
  /** What is measured, e.g. "classify 10k commands (total)". */
  figure: string;
  /** NOME's figure with its unit, e.g. "412 ms". */
  nome: string;
  /** The raw library's (or peer's) figure for the same work in the same run. */
  baseline: string;
  /** NOME ÷ baseline for times, NOME ÷ baseline for throughputs as stated in `figure`. */
  ratio: number;
  goal?: string;
  note?: string;
}

/** Wall-clock milliseconds of `fn`, after one warm-up call. */
export async function timeMs(fn: () => unknown | Promise<unknown>, warmup = true): Promise<number> {
  if (warmup) await fn();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export const fmtMs = (ms: number): string => `${ms < 10 ? ms.toFixed(3) : ms.toFixed(1)} ms`;
