/**
 * Browser end-to-end support: a built `nome serve` in a child process and Debian's Chromium driven
 * by playwright-core. Run `npm run build` first (npm test does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const CHROMIUM = process.env.NOME_CHROMIUM ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  home: string;
  workspace: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built CLI's `nome serve --port 0` and resolves with the URL it prints. */
export async function startServe(opts: { workspace?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'nome-e2e-home-'));
  const workspace = opts.workspace ?? mkdtempSync(path.join(os.tmpdir(), 'nome-e2e-ws-'));
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'nome.cjs'), 'serve', '--port', '0', '--workspace', workspace], {
    env: { ...process.env, NOME_HOME: home, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`nome serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    home,
    workspace,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** axe-core violations on the page as it is now, as readable lines (empty when clean). */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
