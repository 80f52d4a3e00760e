/** Path arithmetic the sandbox's planning shares. Runtime: plain Node. */
import path from 'node:path';

/** Whether `child` is `parent` or lies below it (both absolute, lexically resolved). */
export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
