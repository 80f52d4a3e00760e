import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapArgv, macosProfile, maskSpec, planConfinement, probeBwrap, probeSandbox, runCommand } from '../../../src/main/sandbox';

let base: string;
let ws: string;
beforeAll(() => {
  base = mkdtempSync(path.join('/var/tmp', 'nome-confine-'));
  ws = path.join(base, 'ws');
  mkdirSync(path.join(ws, 'sub'), { recursive: true });
  mkdirSync(path.join(base, 'home', '.ssh'), { recursive: true });
  writeFileSync(path.join(base, 'home', '.netrc'), 'x');
  mkdirSync(path.join(ws, '.secrets'));
  symlinkSync(path.join(base, 'home', '.ssh'), path.join(base, 'ssh-link'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const req = (over: Partial<Parameters<typeof bwrapArgv>[0]> = {}) => ({
  workspace: ws,
  cwd: path.join(ws, 'sub'),
  network: false,
  hidePaths: [] as string[],
  command: 'echo hi',
  ...over,
});

describe('bubblewrap arguments', () => {
  it('read-only root, fresh /dev and /proc, private /tmp, rw workspace, no network, pid ns, new session, die with parent', () => {
    const argv = bwrapArgv(req());
    const s = argv.join(' ');
    expect(argv[0]).toBe('/usr/bin/bwrap');
    expect(s).toContain('--ro-bind / / --dev /dev --proc /proc --tmpfs /tmp');
    expect(s).toContain(`--bind ${ws} ${ws}`);
    for (const flag of ['--unshare-net', '--unshare-pid', '--die-with-parent', '--new-session']) expect(argv).toContain(flag);
    expect(s).toContain(`--chdir ${path.join(ws, 'sub')} -- /bin/bash --noprofile --norc -c`);
    expect(argv[argv.length - 1]).toBe('echo hi');
    expect(argv.indexOf('--ro-bind')).toBeLessThan(argv.indexOf('--bind'));
  });

  it('keeps the network when granted', () => {
    expect(bwrapArgv(req({ network: true }))).not.toContain('--unshare-net');
  });

  it('masks hidden directories with tmpfs and files with /dev/null, resolving symlinks, skipping absent paths', () => {
    const argv = bwrapArgv(req({ hidePaths: [path.join(base, 'ssh-link'), path.join(base, 'home', '.netrc'), path.join(base, 'absent'), path.join(ws, '.secrets')] }));
    const s = argv.join(' ');
    expect(s).toContain(`--tmpfs ${path.join(base, 'home', '.ssh')} --remount-ro ${path.join(base, 'home', '.ssh')}`);
    expect(s).not.toContain(`--tmpfs ${path.join(base, 'ssh-link')}`); // a link holds no data: its target is what is masked
    expect(s).toContain(`--ro-bind /dev/null ${path.join(base, 'home', '.netrc')}`);
    expect(s).not.toContain('absent');
    // A mask inside the workspace must come after the workspace bind, or the bind would undo it.
    expect(argv.indexOf(path.join(ws, '.secrets'))).toBeGreaterThan(argv.indexOf('--bind'));
  });

  it('puts a mask above the workspace before the workspace bind', () => {
    const argv = bwrapArgv(req({ hidePaths: [base] }));
    expect(argv.indexOf(base)).toBeLessThan(argv.indexOf('--bind'));
  });
});

describe('macOS profile (generated only: sandbox-exec cannot run on this Linux host)', () => {
  it('denies writes except the workspace and TMPDIR, hides paths, denies network unless granted', () => {
    const profile = macosProfile(req({ hidePaths: [path.join(base, 'home', '.ssh'), path.join(base, 'home', '.netrc')], privateTmp: '/private/var/folders/x/T/nome' }));
    expect(profile).toMatch(/^\(version 1\)\n\(allow default\)\n\(deny file-write\*\)/);
    expect(profile).toContain(`(subpath "${ws}")`);
    expect(profile).toContain('(subpath "/private/var/folders/x/T/nome")');
    expect(profile).toContain(`(deny file-read* file-write*\n  (subpath "${path.join(base, 'home', '.ssh')}")\n  (literal "${path.join(base, 'home', '.netrc')}")\n)`);
    expect(profile).toContain('(deny network*)');
    expect(macosProfile(req({ network: true }))).not.toContain('(deny network*)');
  });
  it('escapes quotes and backslashes in paths', () => {
    expect(macosProfile(req({ workspace: '/a"b\\c' }))).toContain('(subpath "/a\\"b\\\\c")');
  });
  it('is what planConfinement uses on darwin when sandbox-exec is missing here: reported unconfined', () => {
    const plan = planConfinement(req(), { platform: 'darwin' });
    expect(plan.confined).toBe(false);
    expect(plan.confinement).toMatch(/sandbox-exec not found/);
  });
});

describe('probing and fallback', () => {
  it('a missing bwrap is unusable, with the reason', () => {
    expect(probeBwrap('/nonexistent/bwrap')).toEqual({ usable: false, reason: '/nonexistent/bwrap not found' });
    const plan = planConfinement(req(), { bwrapPath: '/nonexistent/bwrap', platform: 'linux' });
    expect(plan).toMatchObject({ confined: false, argv: ['/bin/bash', '--noprofile', '--norc', '-c', 'echo hi'] });
  });
  it('a bwrap that fails its probe is unusable, with its message', () => {
    const fake = path.join(base, 'fake-bwrap');
    writeFileSync(fake, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const probe = probeBwrap(fake);
    expect(probe.usable).toBe(false);
    expect(probe.reason).toMatch(/No permissions to create new namespace/);
    expect(probeSandbox({ bwrapPath: fake, platform: 'linux' })).toMatchObject({ confined: false });
  });
  it('mode off and other platforms are unconfined', () => {
    expect(planConfinement(req(), { mode: 'off' }).confined).toBe(false);
    expect(planConfinement(req(), { platform: 'win32' }).confinement).toMatch(/no sandbox for platform win32/);
  });
  it('the real bwrap here works (this host is expected to support it)', () => {
    expect(probeBwrap()).toMatchObject({ usable: true });
    expect(probeSandbox()).toEqual({ confined: true, how: 'bwrap' });
  });
});

describe('runCommand argument checks', () => {
  const opts = { command: 'true', workspace: '', cwd: '', env: {}, timeoutMs: 1000, outputCapBytes: 1000, network: false, hidePaths: [] };
  it('refuses a cwd outside the workspace, also through .. and symlinks', () => {
    symlinkSync(base, path.join(ws, 'escape'));
    expect(() => runCommand({ ...opts, workspace: ws, cwd: base })).toThrow(/outside the workspace/);
    expect(() => runCommand({ ...opts, workspace: ws, cwd: '..' })).toThrow(/outside the workspace/);
    expect(() => runCommand({ ...opts, workspace: ws, cwd: 'escape' })).toThrow(/outside the workspace/);
    expect(() => runCommand({ ...opts, workspace: path.join(base, 'nope'), cwd: '.' })).toThrow();
  });
  it('refuses nonsense limits', () => {
    expect(() => runCommand({ ...opts, workspace: ws, cwd: '.', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => runCommand({ ...opts, workspace: ws, cwd: '.', outputCapBytes: -1 })).toThrow(/outputCapBytes/);
  });
});

describe('the view (issue 9): isolation, private areas, exposes, pins, read-only paths', () => {
  it('every run gets a user namespace without capabilities; as root the command runs as nobody', () => {
    const asRoot = bwrapArgv(req(), '/usr/bin/bwrap', 0);
    for (const flag of ['--unshare-user', '--disable-userns', '--unshare-ipc', '--unshare-uts', '--unshare-pid', '--unshare-net', '--new-session', '--die-with-parent']) expect(asRoot).toContain(flag);
    expect(asRoot.join(' ')).toContain('--cap-drop ALL');
    expect(asRoot.join(' ')).toContain('--uid 65534 --gid 65534');
    const asUser = bwrapArgv(req(), '/usr/bin/bwrap', 1000);
    expect(asUser).toContain('--unshare-user');
    expect(asUser).not.toContain('--uid');
  });

  it('mounts in the order that makes each level hold: areas, exposes, workspace, pins, read-only, masks', () => {
    const home = path.join(base, 'home');
    mkdirSync(path.join(home, '.cargo'), { recursive: true });
    mkdirSync(path.join(ws, '.git', 'hooks'), { recursive: true });
    writeFileSync(path.join(ws, '.git', 'config'), '');
    writeFileSync(path.join(ws, '.env'), '');
    writeFileSync(path.join(home, '.cargo', 'credentials.toml'), '');
    const argv = bwrapArgv(
      req({
        privateAreas: [home],
        exposePaths: [path.join(home, '.cargo'), path.join(home, '.absent-toolchain')],
        hidePaths: [path.join(home, '.cargo', 'credentials.toml'), path.join(home, '.netrc'), path.join(ws, '.env')],
        pinnedPaths: [path.join(ws, '.git')],
        readOnlyPaths: [path.join(ws, '.git', 'hooks'), path.join(ws, '.git', 'config')],
      }),
    );
    const at = (...words: string[]) => {
      for (let i = 0; i < argv.length; i++) if (words.every((w, j) => argv[i + j] === w)) return i;
      return -1;
    };
    const order = [
      at('--tmpfs', home),
      at('--ro-bind', path.join(home, '.cargo'), path.join(home, '.cargo')),
      at('--bind', ws, ws),
      at('--bind', path.join(ws, '.git'), path.join(ws, '.git')),
      at('--ro-bind', path.join(ws, '.git', 'hooks'), path.join(ws, '.git', 'hooks')),
      at('--ro-bind', '/dev/null', path.join(home, '.cargo', 'credentials.toml')),
      at('--ro-bind', '/dev/null', path.join(ws, '.env')),
    ];
    expect(order.every((i) => i >= 0), JSON.stringify(order)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // A mask nothing could reach (in a private area, not exposed) is not mounted; nor an absent expose.
    expect(argv).not.toContain(path.join(home, '.netrc'));
    expect(argv).not.toContain(path.join(home, '.absent-toolchain'));
  });

  it('with the mask helper: no mask in the argv, the helper bound in and started as the sandbox root with only the capabilities to mount', () => {
    writeFileSync(path.join(ws, '.env'), '');
    const helper = path.join(base, 'fake-helper');
    writeFileSync(helper, '');
    const r = req({ hidePaths: [path.join(ws, '.env'), path.join(base, 'home', '.netrc')] });
    const argv = bwrapArgv(r, '/usr/bin/bwrap', 0, helper);
    expect(argv).not.toContain('/dev/null');
    expect(argv.join(' ')).toContain(`--ro-bind ${helper} /tmp/.nome-mask`);
    expect(argv.join(' ')).toContain('--uid 0 --gid 0 --cap-drop ALL --cap-add CAP_SYS_ADMIN --cap-add CAP_SETPCAP --cap-add CAP_SYS_RESOURCE --cap-add CAP_SETFCAP');
    expect(argv).not.toContain('--disable-userns'); // the helper enters the last user namespace itself
    expect(argv.join(' ')).toContain('-- /tmp/.nome-mask 3 65534 65534 -- /bin/bash --noprofile --norc -c echo hi');
    const fields = maskSpec(r).toString('utf8').split('\0');
    const env = lstatSync(path.join(ws, '.env'), { bigint: true });
    expect(fields.slice(0, 4)).toEqual(['f', String(env.dev), String(env.ino), path.join(ws, '.env')]);
    expect(fields).toContain(path.join(base, 'home', '.netrc'));
  });

  it('a hide path that is gone at planning is still handed to the helper (with no identity), so it refuses to run', () => {
    const gone = path.join(ws, 'moved-away', '.env');
    const fields = maskSpec(req({ hidePaths: [gone], missingHidden: 'refuse' })).toString('utf8').split('\0');
    expect(fields.slice(0, 4)).toEqual(['f', '0', '0', gone]);
    // Where a hide path means "if present", a missing one is simply not masked.
    expect(maskSpec(req({ hidePaths: [gone] })).length).toBe(0);
    // A dangling link with a protected name holds nothing yet: not listed.
    symlinkSync(path.join(ws, 'nothing-yet'), path.join(ws, 'dangling.pem'));
    expect(maskSpec(req({ hidePaths: [path.join(ws, 'dangling.pem')], missingHidden: 'refuse' })).length).toBe(0);
  });

  it('drops masks, pins and read-only paths inside a masked directory', () => {
    mkdirSync(path.join(ws, 'secrets', 'inner'), { recursive: true });
    writeFileSync(path.join(ws, 'secrets', 'inner', 'a.key'), '');
    const argv = bwrapArgv(req({ hidePaths: [path.join(ws, 'secrets'), path.join(ws, 'secrets', 'inner', 'a.key')], readOnlyPaths: [path.join(ws, 'secrets', 'inner')] }));
    expect(argv).toContain(path.join(ws, 'secrets'));
    expect(argv).not.toContain(path.join(ws, 'secrets', 'inner', 'a.key'));
    expect(argv).not.toContain(path.join(ws, 'secrets', 'inner'));
  });

  it('the macOS profile denies reads in private areas except the workspace and exposes, and writes to read-only paths', () => {
    const home = path.join(base, 'home');
    mkdirSync(path.join(ws, '.git', 'hooks'), { recursive: true });
    const profile = macosProfile(req({ privateAreas: [home], exposePaths: [path.join(home, '.ssh')], readOnlyPaths: [path.join(ws, '.git', 'hooks')] }));
    expect(profile).toContain(`(deny file-read* file-write*\n  (subpath "${home}")\n)`);
    expect(profile).toContain(`(allow file-read*\n  (subpath "${ws}")\n  (subpath "${path.join(home, '.ssh')}")\n)`);
    expect(profile).toContain(`(deny file-write*\n  (subpath "${path.join(ws, '.git', 'hooks')}")\n)`);
  });
});
