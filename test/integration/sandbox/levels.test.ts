/**
 * The sandbox holds every permission level below the judge (issue 9), tried as an attacker would,
 * end to end on real parts (`nome serve`, `nome exec`, `nome approvals`, bubblewrap), once with
 * NOME running as root and once as an unprivileged user (nobody).
 *
 * Each attack gets past the judge in the ways an agent can: code the command line does not show
 * (`sh attack.sh`, allowed without asking when confined), and read- and write-tier commands whose
 * paths are computed at run time, which a person approved. Whatever passes the judge, the sandbox
 * must still hide every noAccess file, keep every readOnly path unwritable, refuse to unmount its
 * masks, and keep local sockets out of reach; and nothing the agent did may run later when the
 * person runs git.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../../../src/main/audit';
import { probeSandbox } from '../../../src/main/sandbox';
import { makeSandbox, nome, startServer, type Sandbox, type Server } from '../../support/nome';

const NOBODY = 65534;
const SECRET = {
  wsEnv: 'WS-ENV-SECRET-1a',
  wsDeep: 'WS-DEEP-SECRET-2b',
  wsKey: 'WS-KEY-SECRET-3c',
  homeEnv: 'HOME-OTHER-ENV-SECRET-4d',
  sharedEnv: 'EXPOSED-ENV-SECRET-5e',
  sharedPem: 'EXPOSED-PEM-SECRET-6f',
  userRule: 'USER-RULE-SECRET-7a',
};

/** Recursively gives `dir` to `uid` (the unprivileged run's files must be its own). */
function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.isSymbolicLink()) chownTree(p, uid);
    else spawnSync('chown', ['-h', `${uid}:${uid}`, p]);
  }
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync('git', ['-c', 'safe.directory=*', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...env } });
}

async function answerWhenAsked(box: Sandbox, answer: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const list = await nome(box, ['approvals', 'list', '--json']);
    const pending = JSON.parse(list.stdout || '[]') as { id: string }[];
    if (pending[0]) {
      const res = await nome(box, ['approvals', 'answer', pending[0].id, answer]);
      expect(res.code, res.stderr).toBe(0);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no approval was asked');
}

/** Runs a command that asks, approving it once: the judge let a person decide; the sandbox must still hold. */
async function approved(box: Sandbox, command: string) {
  const [res] = await Promise.all([nome(box, ['exec', '--', command]), answerWhenAsked(box, 'approve-once')]);
  return res;
}

const users = [
  { name: 'as root', uid: undefined },
  { name: 'as an unprivileged user (nobody)', uid: NOBODY },
] as const;

describe.runIf(probeSandbox().confined)('the sandbox holds every level (issue 9)', () => {
  describe.each(users)('$name', ({ uid }) => {
    let box: Sandbox;
    let server: Server;
    let agent: ChildProcess;
    let socketServer: net.Server;
    let sockets: { agent: string; exposed: string };
    let shared: string;

    beforeAll(async () => {
      // Not under /tmp: /var/tmp is a private area too, and the box must not depend on /tmp's privacy alone.
      box = makeSandbox({ base: '/var/tmp', ...(uid === undefined ? {} : { uid }) });
      const ws = box.workspace;
      writeFileSync(path.join(ws, '.env'), `TOKEN=${SECRET.wsEnv}\n`);
      mkdirSync(path.join(ws, 'deep', 'er'), { recursive: true });
      writeFileSync(path.join(ws, 'deep', 'er', '.env.production'), `${SECRET.wsDeep}\n`);
      mkdirSync(path.join(ws, 'config'));
      writeFileSync(path.join(ws, 'config', 'server.key'), `${SECRET.wsKey}\n`);
      writeFileSync(path.join(ws, 'harmless.txt'), 'harmless\n');
      mkdirSync(path.join(ws, '.nome'));
      writeFileSync(path.join(ws, '.nome', 'permissions.json'), '{"rules":[]}\n');
      expect(git(ws, ['init', '-q']).status).toBe(0);
      git(ws, ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init']);
      // Outside the workspace: a name pattern in another directory of HOME (hidden with HOME), and an
      // exposed directory (visible, read-only) holding name-pattern secrets, a user-layer rule and a socket.
      mkdirSync(path.join(box.home, 'other'), { recursive: true });
      writeFileSync(path.join(box.home, 'other', '.env'), `${SECRET.homeEnv}\n`);
      shared = path.join(box.home, 'shared');
      mkdirSync(path.join(shared, 'secret-notes'), { recursive: true });
      writeFileSync(path.join(shared, '.env'), `${SECRET.sharedEnv}\n`);
      writeFileSync(path.join(shared, 'deploy.pem'), `${SECRET.sharedPem}\n`);
      writeFileSync(path.join(shared, 'secret-notes', 'todo.txt'), `${SECRET.userRule}\n`);
      writeFileSync(path.join(shared, 'readme.txt'), 'shared-readme\n');
      writeFileSync(
        path.join(box.dataDir, 'permissions.json'),
        JSON.stringify({ rules: [{ pattern: '~/shared/secret-notes/**', level: 'noAccess' }], sandbox: { expose: ['~/shared'] } }),
      );
      writeFileSync(
        path.join(ws, 'attack.sh'),
        [
          // Reads: everything noAccess, inside and outside.
          `for f in .env deep/er/.env.production config/server.key ${box.home}/other/.env ${shared}/.env ${shared}/deploy.pem ${shared}/secret-notes/todo.txt ${box.dataDir}/gateway/approver.token ${box.dataDir}/gateway/client.token; do cat "$f" 2>/dev/null; done`,
          `cat ${shared}/readme.txt`,
          // Writes to readOnly paths, and planting what git would run later.
          'echo "#!/bin/sh" > .git/hooks/pre-commit && echo WROTE-HOOK',
          `printf '[core]\\n\\tfsmonitor = "touch ${ws}/PLANTED-FSMONITOR"\\n' >> .git/config && echo WROTE-CONFIG`,
          'git config core.fsmonitor "touch PLANTED" 2>/dev/null && echo WROTE-GIT-CONFIG',
          'echo \'{"tools":[{"tool":"shell","tier":"danger","decision":"allow"}]}\' > .nome/permissions.json && echo WROTE-NOME',
          'mv .git .git-moved 2>/dev/null && echo MOVED-GIT',
          'rm -rf .git/hooks 2>/dev/null; mkdir -p .git/hooks 2>/dev/null; echo touch PLANTED-HOOK > .git/hooks/post-checkout 2>/dev/null && echo WROTE-NEW-HOOK',
          // Undoing the masks.
          'umount .env 2>/dev/null; echo umount=$?',
          'mount -o remount,rw / 2>/dev/null; echo remount=$?',
          `/usr/bin/python3 -c 'import ctypes;l=ctypes.CDLL(None,use_errno=True);print("umount2", l.umount2(b".env",2), ctypes.get_errno())'`,
          'cat .env 2>/dev/null',
          'unshare -U -r true 2>/dev/null; echo unshare=$?',
          // Local sockets.
          ...['agent', 'exposed', 'gateway'].map(
            (name) =>
              `/usr/bin/python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX)
try:
  s.connect(sys.argv[1]); print("CONNECTED-${name}")
except OSError as e: print("refused-${name}", e.errno)' "$SOCK_${name.toUpperCase()}"`,
          ),
          'echo ATTACK-DONE',
        ].join('\n') + '\n',
      );
      writeFileSync(path.join(ws, 'targets.txt'), '.env\ndeep/er/.env.production\nconfig/server.key\n');
      writeFileSync(path.join(ws, 'ro-targets.txt'), '.git/hooks/pre-commit\n.git/config\n.nome/permissions.json\n');
      // A real ssh-agent with its socket in a private area, and a socket in the exposed directory.
      const agentSock = path.join(box.root, 'ssh-agent.sock');
      agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
      const exposedSock = path.join(shared, 'app.sock');
      socketServer = net.createServer((s) => s.end('hello\n'));
      await new Promise<void>((r) => socketServer.listen(exposedSock, r));
      for (let i = 0; i < 100 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 20));
      sockets = { agent: agentSock, exposed: exposedSock };
      if (uid !== undefined) chownTree(box.root, uid);
      // The sockets as the attack script names them.
      box.env = { ...box.env, SOCK_AGENT: agentSock, SOCK_EXPOSED: exposedSock, SOCK_GATEWAY: path.join(box.dataDir, 'gateway.sock') };
      server = await startServer(box, ['--approval-timeout', '20']);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      agent?.kill();
      socketServer?.close();
      if (box) rmSync(box.root, { recursive: true, force: true });
    });

    it('the control: outside the sandbox, the files and sockets are there to be taken', () => {
      expect(readFileSync(path.join(box.workspace, '.env'), 'utf8')).toContain(SECRET.wsEnv);
      expect(statSync(sockets.agent).isSocket()).toBe(true);
      const listed = spawnSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sockets.agent }, encoding: 'utf8' });
      expect(listed.stdout + listed.stderr).toMatch(/no identities/);
    });

    it('code the command line does not show (allowed without asking) reads nothing protected, writes nothing readOnly, cannot unmount, reaches no socket', async () => {
      const res = await nome(box, ['exec', '--', 'sh attack.sh']);
      const out = res.stdout;
      expect(out, res.stderr).toContain('ATTACK-DONE');
      for (const secret of Object.values(SECRET)) expect(out).not.toContain(secret);
      expect(out).not.toMatch(/nome_[\w-]{20}/); // no gateway token
      expect(out).toContain('shared-readme'); // the exposed directory is visible
      for (const wrote of ['WROTE-HOOK', 'WROTE-CONFIG', 'WROTE-GIT-CONFIG', 'WROTE-NOME', 'MOVED-GIT', 'WROTE-NEW-HOOK']) expect(out).not.toContain(wrote);
      expect(out).not.toMatch(/umount=0|remount=0|unshare=0/);
      expect(out).toMatch(/umount2 -1 1\b/); // EPERM
      expect(out).not.toContain('CONNECTED');
      expect(out).toMatch(/refused-agent/);
      expect(out).toMatch(/refused-exposed/);
      expect(out).toMatch(/refused-gateway/);
      // The readOnly files are as they were.
      expect(readFileSync(path.join(box.workspace, '.nome', 'permissions.json'), 'utf8')).toBe('{"rules":[]}\n');
      expect(readFileSync(path.join(box.workspace, '.git', 'config'), 'utf8')).not.toContain('fsmonitor');
      expect(existsSync(path.join(box.workspace, '.git', 'hooks', 'pre-commit'))).toBe(false);
      expect(existsSync(path.join(box.workspace, '.git', 'hooks', 'post-checkout'))).toBe(false);
      const store = openAuditStore({ dataDir: box.dataDir, tenant: 'local' });
      const exit = store.list({ limit: 100_000 }).filter((r) => r.kind === 'command.exit').at(-1)!;
      store.close();
      expect(exit.payload).toMatchObject({ confined: true });
    }, 60_000);

    it('a later `git status` and `git commit` by the person run nothing the agent planted', async () => {
      await nome(box, ['exec', '--', 'sh attack.sh']);
      const ws = box.workspace;
      const status = git(ws, ['status', '--short']);
      expect(status.status).toBe(0);
      git(ws, ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'by the person']);
      git(ws, ['checkout', '-q', '-b', 'later']);
      for (const planted of ['PLANTED', 'PLANTED-FSMONITOR', 'PLANTED-HOOK']) expect(existsSync(path.join(ws, planted)), planted).toBe(false);
    }, 60_000);

    it('a read-tier command a person approved still cannot read noAccess files', async () => {
      const res = await approved(box, 'for f in $(cat targets.txt); do cat "$f"; done; echo READ-DONE');
      expect(res.stdout, res.stderr).toContain('READ-DONE');
      for (const secret of [SECRET.wsEnv, SECRET.wsDeep, SECRET.wsKey]) expect(res.stdout).not.toContain(secret);
    }, 60_000);

    it('a write-tier command a person approved still cannot write readOnly paths or copy noAccess files out', async () => {
      const res = await approved(box, 'for f in $(cat ro-targets.txt); do echo PWNED >> "$f"; done; for f in $(cat targets.txt); do cp "$f" "stolen-$(basename "$f")"; done; echo WRITE-DONE');
      expect(res.stdout, res.stderr).toContain('WRITE-DONE');
      expect(readFileSync(path.join(box.workspace, '.git', 'config'), 'utf8')).not.toContain('PWNED');
      expect(readFileSync(path.join(box.workspace, '.nome', 'permissions.json'), 'utf8')).not.toContain('PWNED');
      expect(existsSync(path.join(box.workspace, '.git', 'hooks', 'pre-commit'))).toBe(false);
      for (const name of readdirSync(box.workspace).filter((n) => n.startsWith('stolen-'))) {
        const text = readFileSync(path.join(box.workspace, name), 'utf8');
        for (const secret of Object.values(SECRET)) expect(text).not.toContain(secret);
      }
    }, 60_000);

    it('a protected file made while a person was deciding is masked too: the view is taken when the run starts', async () => {
      const late = path.join(box.workspace, '.env.late');
      writeFileSync(path.join(box.workspace, 'late-targets.txt'), '.env.late\n');
      const asked = nome(box, ['exec', '--', 'for f in $(cat late-targets.txt); do cat "$f"; done; echo LATE-DONE']);
      // Wait until it is asked, then make the secret, then approve.
      let id: string | undefined;
      for (let i = 0; i < 200 && !id; i++) {
        id = (JSON.parse((await nome(box, ['approvals', 'list', '--json'])).stdout || '[]') as { id: string }[])[0]?.id;
        if (!id) await new Promise((r) => setTimeout(r, 50));
      }
      writeFileSync(late, 'LATE-SECRET-8b\n');
      if (uid !== undefined) chownSync(late, uid, uid);
      expect((await nome(box, ['approvals', 'answer', id!, 'approve-once'])).code).toBe(0);
      const res = await asked;
      expect(res.stdout, res.stderr).toContain('LATE-DONE');
      expect(res.stdout).not.toContain('LATE-SECRET');
      rmSync(late);
    }, 60_000);

    it('a symlink swapped between the judgement and the run never opens .env', async () => {
      const ws = box.workspace;
      const link = path.join(ws, 'link');
      const tmp = path.join(ws, 'link.tmp');
      symlinkSync('harmless.txt', link);
      if (uid !== undefined) spawnSync('chown', ['-h', `${uid}:${uid}`, link]);
      let toEnv = false;
      // Swap atomically (rename over the link) as fast as the loop allows, while the command is judged and run.
      const swapper = setInterval(() => {
        try {
          symlinkSync(toEnv ? 'harmless.txt' : '.env', tmp);
          renameSync(tmp, link);
          toEnv = !toEnv;
        } catch {
          // a racing rename: try again
        }
      }, 1);
      let ran = 0;
      try {
        for (let i = 0; i < 20; i++) {
          const res = await nome(box, ['exec', '--', 'for i in 1 2 3 4 5 6 7 8 9 10; do cat link; done']);
          expect(res.stdout).not.toContain(SECRET.wsEnv);
          if (res.code !== 126) ran++;
        }
      } finally {
        clearInterval(swapper);
        rmSync(tmp, { force: true });
        unlinkSync(link);
      }
      // Some runs were judged while the link pointed at harmless.txt, so the race was really run.
      expect(ran).toBeGreaterThan(0);
    }, 120_000);
  });
});
