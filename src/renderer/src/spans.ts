/**
 * Splits a command into plain and highlighted pieces from the policy's reasons. Spans are UTF-8
 * byte offsets (the policy engine's contract), so the command is cut as bytes, not UTF-16 units.
 *
 * Runtime: renderer.
 */
export interface Piece {
  text: string;
  /** The highest tier of the reasons covering this piece, or null when none does. */
  tier: 'read' | 'write' | 'danger' | null;
  reasons: string[];
}

const rank = { read: 0, write: 1, danger: 2 } as const;

export function highlight(command: string, reasons: readonly { span: readonly [number, number]; tier: 'read' | 'write' | 'danger'; text: string }[]): Piece[] {
  const bytes = new TextEncoder().encode(command);
  const decoder = new TextDecoder();
  const cuts = new Set<number>([0, bytes.length]);
  const valid = reasons.filter((r) => r.span[0] >= 0 && r.span[1] <= bytes.length && r.span[0] < r.span[1]);
  for (const r of valid) {
    cuts.add(r.span[0]);
    cuts.add(r.span[1]);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: Piece[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i]!, points[i + 1]!];
    const covering = valid.filter((r) => r.span[0] <= start && r.span[1] >= end && r.tier !== 'read');
    const tier = covering.reduce<Piece['tier']>((best, r) => (best === null || rank[r.tier] > rank[best] ? r.tier : best), null);
    pieces.push({ text: decoder.decode(bytes.slice(start, end)), tier, reasons: covering.map((r) => r.text) });
  }
  return pieces;
}
