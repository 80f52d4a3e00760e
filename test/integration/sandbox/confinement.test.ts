/** Real bubblewrap: what a confined command can and cannot do. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults, run } from './helpers';

let base: string;
let ws: string;
let outside: string;
let home: string;
beforeAll(() => {
  // Not under /tmp: the sandbox's /tmp is private, so "outside" must be a path it can see.
  base = mkdtempSync(path.join('/var/tmp', 'nome-confined-'));
  ws = path.join(base, 'ws');
  outside = path.join(base, 'outside');
  home = path.join(base, 'home');
  mkdirSync(path.join(ws, 'src'), { recursive: true });
  mkdirSync(outside);
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'PRIVATE-KEY-MATERIAL-7f3a\n');
  writeFileSync(path.join(home, '.netrc'), 'machine x password NETRC-PASSWORD-91c2\n');
  writeFileSync(path.join(outside, 'readable.txt'), 'readable-outside\n');
  mkdirSync(path.join(ws, '.secrets'));
  writeFileSync(path.join(ws, '.secrets', 'env'), 'WORKSPACE-SECRET-55aa\n');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('confined by bubblewrap', () => {
  it('a write outside the workspace fails and the result says confined', async () => {
    const target = path.join(outside, 'pwned.txt');
    const { text, result } = await run(defaults(ws, { command: `echo x > ${target}` }));
    expect(result.confined).toBe(true);
    expect(result.confinement).toMatch(/^bwrap/);
    expect(result.exitCode).not.toBe(0);
    expect(text).toMatch(/Read-only file system/);
    expect(existsSync(target)).toBe(false);
  });

  it('the same write succeeds unconfined (the test is meaningful), and is reported unconfined', async () => {
    const target = path.join(outside, 'unconfined.txt');
    const { result } = await run(defaults(ws, { command: `echo x > ${target}`, sandbox: 'off' }));
    expect(result).toMatchObject({ exitCode: 0, confined: false });
    expect(existsSync(target)).toBe(true);
  });

  it('writes inside the workspace succeed, from a cwd inside it; the rest of the root is readable', async () => {
    const { text, result } = await run(
      defaults(ws, { cwd: path.join(ws, 'src'), command: `pwd; echo built > out.txt; mkdir -p ../build && echo ok > ../build/b; cat ${path.join(outside, 'readable.txt')}` }),
    );
    expect(result.exitCode).toBe(0);
    expect(text).toContain(`${path.join(ws, 'src')}\r\n`);
    expect(text).toContain('readable-outside');
    expect(readFileSync(path.join(ws, 'src', 'out.txt'), 'utf8')).toBe('built\n');
    expect(readFileSync(path.join(ws, 'build', 'b'), 'utf8')).toBe('ok\n');
  });

  it('/tmp is private', async () => {
    const marker = path.join('/tmp', `nome-host-tmp-${process.pid}`);
    writeFileSync(marker, 'host');
    try {
      const { text, result } = await run(defaults(ws, { command: `test -e ${marker} && echo visible || echo invisible; echo t > /tmp/in-sandbox && echo wrote` }));
      expect(result.exitCode).toBe(0);
      expect(text).toContain('invisible');
      expect(text).toContain('wrote');
      expect(existsSync('/tmp/in-sandbox')).toBe(false);
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('the network is unavailable unless granted', async () => {
    const server = net.createServer((s) => s.end('hello from host\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const probe = `if exec 3<>/dev/tcp/127.0.0.1/${port}; then echo CONNECTED; head -n1 <&3; else echo NO-NETWORK; fi`;
    try {
      const denied = await run(defaults(ws, { command: probe }));
      expect(denied.text).toContain('NO-NETWORK');
      expect(denied.text).not.toContain('hello from host');
      const granted = await run(defaults(ws, { command: probe, network: true }));
      expect(granted.result.confined).toBe(true);
      expect(granted.text).toContain('CONNECTED');
      expect(granted.text).toContain('hello from host');
    } finally {
      server.close();
    }
  });

  it('hidden paths are not readable: directories, files, and inside the workspace', async () => {
    const hidePaths = [path.join(home, '.ssh'), path.join(home, '.netrc'), path.join(ws, '.secrets'), path.join(home, '.aws')];
    const cmd = `ls -A ${home}/.ssh; cat ${home}/.ssh/id_ed25519; cat ${home}/.netrc; cat ${ws}/.secrets/env; echo nope > ${ws}/.secrets/new; echo done`;
    const { text, result } = await run(defaults(ws, { command: cmd, hidePaths }));
    expect(result.confined).toBe(true);
    expect(result.confinement).toMatch(/3 hidden path/);
    expect(text).toContain('done');
    for (const secret of ['PRIVATE-KEY-MATERIAL', 'id_ed25519\r\n', 'NETRC-PASSWORD', 'WORKSPACE-SECRET']) expect(text).not.toContain(secret);
    expect(existsSync(path.join(ws, '.secrets', 'new'))).toBe(false);
    // Unhidden, the same command does read them (the test is meaningful).
    const open = await run(defaults(ws, { command: cmd }));
    expect(open.text).toContain('PRIVATE-KEY-MATERIAL');
  });

  it('environment secrets do not pass; granted ones do', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      GITHUB_TOKEN: 'ghp_SECRET_GH_1',
      NPM_TOKEN: 'npm_SECRET_NPM_2',
      AWS_SECRET_ACCESS_KEY: 'SECRET_AWS_3',
      OPENAI_API_KEY: 'sk-SECRET_OAI_4',
      DB_PASSWORD: 'SECRET_DB_5',
      SSH_AUTH_SOCK: '/tmp/SECRET_SOCK_6',
      UNLISTED: 'SECRET_UNLISTED_7',
    };
    const { text } = await run(defaults(ws, { command: 'env', env }));
    for (const value of Object.values(env).slice(2)) expect(text).not.toContain(value);
    expect(text).toContain(`HOME=${home}`);
    const granted = await run(defaults(ws, { command: 'echo "[$NPM_TOKEN]"', env, allowEnv: ['NPM_TOKEN'] }));
    expect(granted.text).toContain('[npm_SECRET_NPM_2]');
  });

  it('an unusable bwrap runs unconfined and says why', async () => {
    const { text, result } = await run(defaults(ws, { command: 'echo ran', bwrapPath: path.join(base, 'no-bwrap') }));
    expect(text).toContain('ran');
    expect(result.confined).toBe(false);
    expect(result.confinement).toMatch(/not found/);
  });
});
