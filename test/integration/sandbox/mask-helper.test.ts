/**
 * The mask helper (src/main/sandbox/helper/nome-mask.c) on real bubblewrap, as root and as nobody:
 * it masks by inode, refuses to run anything when a protected path moved or was swapped while the
 * sandbox was being built, and leaves the command with no capability, in a user namespace that
 * cannot mount, unmount or make another.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapArgv, findMaskHelper, maskSpec, probeMaskHelper, type ConfineRequest } from '../../../src/main/sandbox';

const helper = findMaskHelper();
const usable = helper !== null && probeMaskHelper(helper).usable;

let base: string;
let ws: string;
beforeAll(() => {
  base = mkdtempSync(path.join('/var/tmp', 'nome-mask-'));
  chmodSync(base, 0o755);
  ws = path.join(base, 'ws');
  mkdirSync(path.join(ws, 'keys'), { recursive: true });
  writeFileSync(path.join(ws, '.env'), 'MASKED-SECRET-1\n');
  writeFileSync(path.join(ws, 'keys', 'a.pem'), 'MASKED-SECRET-2\n');
  writeFileSync(path.join(ws, 'open.txt'), 'open\n');
  spawnSync('chown', ['-R', '65534:65534', ws]);
  chownSync(base, 65534, 65534);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Runs `command` through bwrap + the helper with `spec` on fd 3, as `uid` (undefined: this process's). */
function run(command: string, spec: Buffer, uid?: number) {
  const req: ConfineRequest = { workspace: ws, cwd: ws, network: false, hidePaths: [path.join(ws, '.env'), path.join(ws, 'keys')], command };
  const argv = bwrapArgv(req, '/usr/bin/bwrap', uid ?? process.getuid?.(), helper);
  const specFile = path.join(base, `spec-${Math.random()}`);
  writeFileSync(specFile, spec);
  chmodSync(specFile, 0o644);
  const full = uid === undefined ? argv : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...argv];
  // fd 9: something NOME's process might hold open; it must not reach the command.
  const res = spawnSync('/bin/sh', ['-c', 'exec 3< "$0" 9< /etc/hostname; exec "$@"', specFile, ...full], { encoding: 'utf8' });
  rmSync(specFile, { force: true });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

const spec = () => maskSpec({ workspace: ws, cwd: ws, network: false, hidePaths: [path.join(ws, '.env'), path.join(ws, 'keys')], command: '' });

describe.runIf(usable).each([
  { name: 'as root', uid: undefined },
  { name: 'as nobody', uid: 65534 },
])('the mask helper $name', ({ uid }) => {
  it('masks files and directories, and the command keeps no capability and cannot undo it', () => {
    const { code, out } = run(
      [
        'cat .env keys/a.pem open.txt 2>&1',
        'ls keys 2>&1',
        'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status',
        'id -u',
        'umount .env 2>/dev/null; echo umount=$?',
        'unshare -U true 2>/dev/null; echo unshare=$?',
        'echo x > .env 2>/dev/null; echo write=$?',
        'echo fds=$(ls /proc/self/fd | tr "\\n" " ")',
      ].join('; '),
      spec(),
      uid,
    );
    expect(code, out).toBe(0);
    expect(out).not.toContain('MASKED-SECRET');
    expect(out).toContain('open');
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(out).toMatch(new RegExp(`${set}:\\s+0000000000000000`));
    expect(out).toMatch(/^(65534|[1-9]\d*)$/m);
    expect(out).toMatch(/umount=[1-9]/);
    expect(out).toMatch(/unshare=[1-9]/);
    expect(out).toMatch(/write=[1-9]/);
    // Only 0, 1, 2 and ls's own directory handle: the mask list (3) and anything else inherited (9) are closed.
    expect(out).toMatch(/^fds=0 1 2 3$/m);
  });

  it('refuses to run anything when a protected file was swapped for another after the plan', () => {
    const planned = spec();
    const env = path.join(ws, '.env');
    renameSync(env, `${env}.moved`);
    writeFileSync(env, 'decoy');
    try {
      const { code, out } = run('echo RAN', planned, uid);
      expect(code).toBe(125);
      expect(out).toMatch(/changed while the sandbox was being built/);
      expect(out).not.toContain('RAN');
    } finally {
      rmSync(env);
      renameSync(`${env}.moved`, env);
    }
  });

  it('refuses to run anything when a protected path is gone or the list is malformed', () => {
    const gone = Buffer.from(['f', '0', '0', path.join(ws, 'no-such-file'), ''].join('\0'));
    let res = run('echo RAN', gone, uid);
    expect(res.code).toBe(125);
    expect(res.out).toMatch(/cannot open the protected path/);
    res = run('echo RAN', Buffer.from('f\0'), uid);
    expect(res.code).toBe(125);
    expect(res.out).toMatch(/malformed/);
    expect(lstatSync(path.join(ws, '.env')).isFile()).toBe(true);
  });
});
