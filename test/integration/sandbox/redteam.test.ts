/**
 * Bypasses of the sandbox view a red-team pass confirmed (issue 9), each reproduced as it was
 * found, end to end through `nome serve` and `nome exec` on real bubblewrap; each must now fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../../../src/main/audit';
import { probeSandbox } from '../../../src/main/sandbox';
import { makeSandbox, nome, startServer, type Sandbox, type Server } from '../../support/nome';

const SECRET = 'SECRET=red-team-9c';

function git(cwd: string, args: string[]) {
  return spawnSync('git', ['-c', 'safe.directory=*', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
}

function lastExit(box: Sandbox): Record<string, unknown> {
  const store = openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
  try {
    return store.list({ limit: 100_000 }).filter((r) => r.kind === 'command.exit').at(-1)!.payload as Record<string, unknown>;
  } finally {
    store.close();
  }
}

async function firstPending(box: Sandbox): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const id = (JSON.parse((await nome(box, ['approvals', 'list', '--json'])).stdout || '[]') as { id: string }[])[0]?.id;
    if (id) return id;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe.runIf(probeSandbox().confined)('red-team bypasses of the sandbox view, closed', () => {
  let box: Sandbox;
  let server: Server;
  const marker = (name: string) => path.join(box.root, name);

  beforeAll(async () => {
    box = makeSandbox({ base: '/var/tmp' });
    const ws = box.workspace;
    writeFileSync(path.join(ws, '.env'), `${SECRET}\n`);
    expect(git(ws, ['init', '-q']).status).toBe(0);
    server = await startServer(box, ['--approval-timeout', '30']);
  });
  afterAll(async () => {
    await server?.stop();
    if (box) rmSync(box.root, { recursive: true, force: true });
  });

  it('a symlink to the workspace, named as the workspace, gets the same protections', async () => {
    const ws = box.workspace;
    writeFileSync(path.join(ws, 'link.sh'), 'ln -sfn . alias\n');
    await nome(box, ['exec', '--', 'sh link.sh']);
    writeFileSync(path.join(ws, 'read.sh'), 'cat .env; touch .git/hooks/x && echo HOOKS-WRITABLE; echo READ-DONE\n');
    const res = await nome(box, ['exec', '--workspace', path.join(ws, 'alias'), '--', 'sh read.sh'], { cwd: path.join(ws, 'alias') });
    expect(res.stdout, res.stderr).toContain('READ-DONE');
    expect(res.stdout).not.toContain(SECRET);
    expect(res.stdout).not.toContain('HOOKS-WRITABLE');
    expect(lastExit(box)).toMatchObject({ confined: true });
    rmSync(path.join(ws, 'alias'));
  });

  it("a rewritten .git/commondir cannot point the person's git at planted config", async () => {
    const ws = box.workspace;
    writeFileSync(
      path.join(ws, 'a2.sh'),
      [
        'mkdir -p evil && cp -r .git/objects .git/refs .git/HEAD evil/',
        `printf '[core]\\n\\trepositoryformatversion = 0\\n\\tbare = false\\n\\tfsmonitor = "touch ${marker('PWNED_commondir')}; false"\\n' > evil/config`,
        'echo ../evil > .git/commondir && echo WROTE-COMMONDIR',
        'echo DONE',
      ].join('\n') + '\n',
    );
    const res = await nome(box, ['exec', '--', 'sh a2.sh']);
    expect(res.stdout, res.stderr).toContain('DONE');
    git(ws, ['status', '--short']);
    expect(existsSync(marker('PWNED_commondir'))).toBe(false);
    expect(existsSync(path.join(ws, '.git', 'commondir'))).toBe(false);
    expect(lastExit(box)).toMatchObject({ removed: [{ path: path.join(ws, '.git', 'commondir') }] });
  });

  it('a planted .git/config.worktree is removed when the run ends', async () => {
    const ws = box.workspace;
    git(ws, ['config', 'extensions.worktreeConfig', 'true']);
    try {
      writeFileSync(path.join(ws, 'a9.sh'), `printf '[core]\\n\\tfsmonitor = "touch ${marker('PWNED_worktree')}; false"\\n' > .git/config.worktree; echo DONE\n`);
      await nome(box, ['exec', '--', 'sh a9.sh']);
      git(ws, ['status', '--short']);
      expect(existsSync(marker('PWNED_worktree'))).toBe(false);
    } finally {
      git(ws, ['config', '--unset', 'extensions.worktreeConfig']);
    }
  });

  it('a directory moved below a path too long to stat does not fall out of the index: the next code run asks', async () => {
    const ws = box.workspace;
    mkdirSync(path.join(ws, 'sub'));
    writeFileSync(path.join(ws, 'sub', '.env'), `${SECRET}-deep\n`);
    const deep = "import os\nos.chdir('deepbase') if os.path.isdir('deepbase') else (os.mkdir('deepbase'), os.chdir('deepbase'))\nfor i in range(20):\n  n='d'*250\n  os.path.isdir(n) or os.mkdir(n)\n  os.chdir(n)\n";
    writeFileSync(path.join(ws, 'a3.py'), `${deep}os.rename('/'.join(['..']*21)+'/sub', 'sub')\nprint('MOVED')\n`);
    writeFileSync(path.join(ws, 'a4.py'), `${deep}print(open('sub/.env').read())\n`);
    try {
      const moved = await nome(box, ['exec', '--', '/usr/bin/python3 a3.py']);
      expect(moved.stdout, moved.stderr).toContain('MOVED');
      const read = nome(box, ['exec', '--', '/usr/bin/python3 a4.py']);
      const id = await firstPending(box);
      expect(id, 'the code-running command is asked, the sandbox no longer counting as holding').toBeDefined();
      const pending = JSON.parse((await nome(box, ['approvals', 'list', '--json'])).stdout) as { details: { why: string[] } }[];
      expect(pending[0]!.details.why.join('\n')).toMatch(/cannot enforce every permission level in the workspace \(cannot stat/);
      await nome(box, ['approvals', 'answer', id!, 'deny']);
      const res = await read;
      expect(res.code).toBe(126);
      expect(res.stdout).not.toContain(SECRET);
    } finally {
      spawnSync('rm', ['-rf', path.join(ws, 'deepbase')]);
    }
    // Gone again: the index heals, and code runs without asking.
    writeFileSync(path.join(ws, 'ok.sh'), 'echo HEALED\n');
    expect((await nome(box, ['exec', '--', 'sh ok.sh'])).stdout).toContain('HEALED');
  }, 60_000);

  it('a symlink named .env protects what it points to: a secret written through it stays hidden', async () => {
    const ws = box.workspace;
    mkdirSync(path.join(ws, 'app2'));
    writeFileSync(path.join(ws, 'a6.sh'), 'cd app2 && : > cfg.txt && ln -s cfg.txt .env && echo LINKED\n');
    expect((await nome(box, ['exec', '--', 'sh a6.sh'])).stdout).toContain('LINKED');
    writeFileSync(path.join(ws, 'app2', '.env'), `${SECRET}-through-link\n`); // the person, later
    expect(readFileSync(path.join(ws, 'app2', 'cfg.txt'), 'utf8')).toContain('through-link');
    writeFileSync(path.join(ws, 'a6b.sh'), 'cat app2/cfg.txt; echo READ-DONE\n');
    const res = await nome(box, ['exec', '--', 'sh a6b.sh']);
    expect(res.stdout, res.stderr).toContain('READ-DONE');
    expect(res.stdout).not.toContain('through-link');
  });

  it("git's XDG credential store is not readable", async () => {
    // Bound back read-only with ~/.config/git, and a built-in noAccess rule now.
    mkdirSync(path.join(box.home, '.config', 'git'), { recursive: true });
    writeFileSync(path.join(box.home, '.config', 'git', 'credentials'), 'https://user:ghp_SECRETTOKEN@example.com\n');
    writeFileSync(path.join(box.home, '.config', 'git', 'config'), '[user]\n\tname = t\n');
    writeFileSync(path.join(box.workspace, 'a11.sh'), `cat ${box.home}/.config/git/config; cat ${box.home}/.config/git/credentials; echo READ-DONE\n`);
    const res = await nome(box, ['exec', '--', 'sh a11.sh']);
    expect(res.stdout, res.stderr).toContain('READ-DONE');
    expect(res.stdout).toContain('name = t');
    expect(res.stdout).not.toContain('ghp_SECRETTOKEN');
  });
});

describe.runIf(probeSandbox().confined)('a workspace inside another repository', () => {
  let box: Sandbox;
  let server: Server;
  beforeAll(async () => {
    box = makeSandbox({ base: '/var/tmp' });
    expect(git(box.root, ['init', '-q']).status).toBe(0); // the repository above the workspace
    server = await startServer(box);
  });
  afterAll(async () => {
    await server?.stop();
    if (box) rmSync(box.root, { recursive: true, force: true });
  });

  it("cannot be given its own .git whose config the person's git would obey", async () => {
    const ws = box.workspace;
    writeFileSync(
      path.join(ws, 'a10.sh'),
      [
        'git init -q .evilgit 2>/dev/null || mkdir -p .evilgit',
        `printf '[core]\\n\\trepositoryformatversion = 0\\n\\tbare = false\\n\\tfsmonitor = "touch ${path.join(box.root, 'PWNED_gitlink')}; false"\\n' > .evilgit/config`,
        'echo "gitdir: .evilgit" > .git && echo PLANTED',
      ].join('\n') + '\n',
    );
    const res = await nome(box, ['exec', '--', 'sh a10.sh']);
    expect(res.stdout, res.stderr).toContain('PLANTED');
    expect(existsSync(path.join(ws, '.git'))).toBe(false);
    git(ws, ['status', '--short']);
    expect(existsSync(path.join(box.root, 'PWNED_gitlink'))).toBe(false);
  });
});
