// Builds the sandbox's mask helper (src/main/sandbox/helper/nome-mask.c) into out/helper on Linux.
// Without a C compiler the build still succeeds: the sandbox then masks through bubblewrap's own
// binds (the same protection, slower per command) and says so in every run's confinement.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') process.exit(0);
const out = path.join(root, 'out', 'helper');
mkdirSync(out, { recursive: true });
const cc = process.env.CC || 'cc';
const res = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-Werror', '-o', path.join(out, 'nome-mask'), path.join(root, 'src', 'main', 'sandbox', 'helper', 'nome-mask.c')], { stdio: 'inherit' });
if (res.status !== 0) {
  console.warn(`build-helper: ${cc} failed (${res.error?.message ?? `exit ${res.status}`}); the sandbox will mask through bubblewrap's binds (slower)`);
}
