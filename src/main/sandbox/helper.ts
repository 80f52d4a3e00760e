/**
 * Finding the mask helper (helper/nome-mask.c, built into out/helper by scripts/build-helper.mjs):
 * beside the bundle (`out/main` → `out/helper`), in the checkout (tests run from src/), or in a
 * packaged app's unpacked asar. Null when it was not built: the sandbox then masks through bwrap.
 *
 * Runtime: plain Node.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

let found: string | null | undefined;

export function findMaskHelper(from: string = __dirname): string | null {
  if (found !== undefined && from === __dirname) return found;
  let result: string | null = null;
  let dir = from.replace(/app\.asar(?=[\\/]|$)/, 'app.asar.unpacked');
  for (;;) {
    for (const candidate of [path.join(dir, 'helper', 'nome-mask'), path.join(dir, 'out', 'helper', 'nome-mask')]) {
      try {
        accessSync(candidate, constants.X_OK);
        result = candidate;
        break;
      } catch {
        // not here
      }
    }
    const parent = path.dirname(dir);
    if (result !== null || parent === dir) break;
    dir = parent;
  }
  if (from === __dirname) found = result;
  return result;
}
