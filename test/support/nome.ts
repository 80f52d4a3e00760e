/**
 * Running the built `nome` CLI in tests: `nome serve` in the background with its own data dir,
 * HOME and managed-policy path, and `nome …` commands against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const nomeBin = path.join(repoRoot, 'bin', 'nome.cjs');

export interface Sandbox {
  root: string;
  home: string;
  dataDir: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** Run every `nome` process as this user (via setpriv), for tests that must hold as an unprivileged user too. */
  uid?: number;
}

/** The argv that runs `argv` as the box's user (unchanged when the box has none). */
export function asBoxUser(box: Sandbox, argv: string[]): string[] {
  if (box.uid === undefined) return argv;
  return ['setpriv', `--reuid=${box.uid}`, `--regid=${box.uid}`, '--clear-groups', '--', ...argv];
}

/**
 * A throwaway HOME, data dir and workspace; nothing of the real user's is read. `base` is where the
 * box goes (default the OS temp dir); `uid` makes the box that user's, and runs `nome` as that user.
 */
export function makeSandbox(opts: { base?: string; uid?: number } = {}): Sandbox {
  const root = realpathSync(mkdtempSync(path.join(opts.base ?? os.tmpdir(), 'nome-it-')));
  const home = path.join(root, 'home');
  const dataDir = path.join(root, 'data');
  const workspace = path.join(root, 'ws');
  for (const dir of [home, dataDir, workspace]) mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    NOME_HOME: dataDir,
    NOME_MANAGED_POLICY: path.join(root, 'managed-policy.json'),
  };
  delete env.NOME_GATEWAY;
  delete env.NOME_TOKEN;
  delete env.NOME_APPROVER_TOKEN;
  if (opts.uid !== undefined) {
    chmodSync(root, 0o755);
    for (const dir of [root, home, dataDir, workspace]) chownSync(dir, opts.uid, opts.uid);
  }
  return { root, home, dataDir, workspace, env, ...(opts.uid === undefined ? {} : { uid: opts.uid }) };
}

export interface Server {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServer(box: Sandbox, args: string[] = []): Promise<Server> {
  const [cmd, ...argv] = asBoxUser(box, [process.execPath, nomeBin, 'serve', '--port', '0', '--workspace', box.workspace, ...args]);
  const child = spawn(cmd!, argv, {
    env: box.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)[\s\S]*gateway: /.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`nome serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function nome(box: Sandbox, args: string[], opts: { cwd?: string; onStderr?: (text: string) => void } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const [cmd, ...argv] = asBoxUser(box, [process.execPath, nomeBin, ...args]);
    const child = spawn(cmd!, argv, { env: box.env, cwd: opts.cwd ?? box.workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      opts.onStderr?.(stderr);
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}
