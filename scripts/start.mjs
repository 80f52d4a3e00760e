// `npm start`: build, then launch the desktop app. Where the Electron binary cannot be obtained
// (its download is blocked on some machines), say so in one line and run `nome serve` instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

if (run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']).status !== 0) process.exit(1);

// Read the package's record of its binary directly: requiring `electron` would start a download
// with its own noisy output.
const electronDir = path.dirname(require.resolve('electron/package.json'));
function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(electronDir, 'dist');
  const binary = path.join(dist, readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

let binary = electronBinary();
if (!binary && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  run(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  binary = electronBinary();
}

const forward = (child) => {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
};

if (binary) {
  forward(spawn(binary, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' }));
} else {
  console.log('The Electron binary is not available on this machine (its download failed or is blocked); starting `nome serve` instead.');
  forward(spawn(process.execPath, [path.join(root, 'bin', 'nome.cjs'), 'serve', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' }));
}
