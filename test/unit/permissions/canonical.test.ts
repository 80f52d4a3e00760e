/** Canonicalisation (issue 4, point 6): `..`, symlinks, missing paths, NFC, case folding. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeCaseInsensitive } from '../../../src/main/permissions/canonical';
import { sandbox, type Sandbox } from './sandbox';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

describe('.. tricks', () => {
  it.each(['src/../.env', './.env', 'a/b/../../.env', `../ws/.env`, 'nonexistent/../.env', './/.env'])('%s is .env', (p) => {
    const ex = s.gateway().explain(p);
    expect(ex.path).toBe(path.join(s.ws, '.env'));
    expect(ex.level).toBe('noAccess');
  });

  it('an absolute path with .. into the home directory', () => {
    expect(s.gateway().explain(`${s.ws}/../home/.ssh/id_rsa`).level).toBe('noAccess');
  });

  it('takes .. after a symlink physically, as the kernel does', () => {
    s.file('home/.ssh/sub/placeholder');
    s.link('ws/sshsub', path.join(s.home, '.ssh/sub'));
    const ex = s.gateway().explain('sshsub/../known_hosts');
    expect(ex.path).toBe(path.join(s.home, '.ssh/known_hosts'));
    expect(ex.level).toBe('noAccess');
  });
});

describe('symlinks', () => {
  it('a symlink inside the workspace pointing at ~/.ssh/id_rsa is noAccess', () => {
    s.file('home/.ssh/id_rsa', 'PRIVATE');
    s.link('ws/notes.txt', path.join(s.home, '.ssh/id_rsa'));
    const ex = s.gateway().explain('notes.txt');
    expect(ex.path).toBe(path.join(s.home, '.ssh/id_rsa'));
    expect(ex.level).toBe('noAccess');
    expect(ex.winner?.matchedPath).toBe(path.join(s.home, '.ssh/id_rsa'));
  });

  it('a directory symlink into ~/.ssh, for a file that exists and one that does not yet', () => {
    s.file('home/.ssh/id_rsa');
    s.link('ws/keys', path.join(s.home, '.ssh'));
    const g = s.gateway();
    expect(g.explain('keys/id_rsa').level).toBe('noAccess');
    expect(g.explain('keys/new_file').level).toBe('noAccess');
    expect(g.explain('keys/new_dir/deeper/file').path).toBe(path.join(s.home, '.ssh/new_dir/deeper/file'));
  });

  it('a dangling symlink is followed to where a write would land', () => {
    mkdirSync(path.join(s.home, '.ssh'));
    s.link('ws/out.txt', path.join(s.home, '.ssh/authorized_keys'));
    const ex = s.gateway().explain('out.txt');
    expect(ex.path).toBe(path.join(s.home, '.ssh/authorized_keys'));
    expect(ex.level).toBe('noAccess');
  });

  it('chains of relative symlinks', () => {
    s.file('home/.aws/credentials');
    s.link('ws/a', 'b');
    s.link('ws/b', '../home/.aws');
    expect(s.gateway().explain('a/credentials').level).toBe('noAccess');
  });

  it('checks the path as written too: a link named .env pointing at a harmless file', () => {
    s.file('ws/harmless.txt');
    s.link('ws/.env', 'harmless.txt');
    const ex = s.gateway().explain('.env');
    expect(ex.path).toBe(path.join(s.ws, 'harmless.txt'));
    expect(ex.level).toBe('noAccess');
    expect(ex.winner?.matchedPath).toBe(path.join(s.ws, '.env'));
  });

  it('a symlink escaping the workspace takes the more restrictive default', () => {
    s.file('outside/file.txt');
    s.link('ws/escape', path.join(s.root, 'outside/file.txt'));
    expect(s.gateway().explain('escape').level).toBe('readOnly');
  });

  it('a symlink loop is noAccess with an error, not a crash', () => {
    s.link('ws/loop1', 'loop2');
    s.link('ws/loop2', 'loop1');
    const ex = s.gateway().explain('loop1/x');
    expect(ex.level).toBe('noAccess');
    expect(ex.error).toMatch(/symbolic links/);
  });

  it('follows the home directory through a symlink', () => {
    s.file('real-home/.ssh/id_x');
    const linkedHome = s.link('linked-home', path.join(s.root, 'real-home'));
    s.link('ws/k', path.join(s.root, 'real-home/.ssh/id_x'));
    const g = s.gateway({ home: linkedHome });
    expect(g.explain('k').level).toBe('noAccess');
    expect(g.explain('~/.ssh/id_x').level).toBe('noAccess');
  });

  it('follows a workspace given through a symlink', () => {
    const linkedWs = s.link('linked-ws', s.ws);
    s.layer('workspace', [{ pattern: 'docs/**', level: 'readOnly' }]);
    const g = s.gateway({ workspace: linkedWs });
    expect(g.explain('docs/a.md').level).toBe('readOnly');
    expect(g.explain(path.join(s.ws, 'docs/a.md')).level).toBe('readOnly');
    expect(g.explain(path.join(linkedWs, 'src/x')).level).toBe('readWrite');
    expect(g.explain('.nome/permissions.json').level).toBe('readOnly');
  });
});

describe('Unicode', () => {
  it('matches in NFC whatever form the path and the pattern are written in', () => {
    const nfd = 'cafe\u0301';
    const nfc = 'caf\u00e9';
    s.layer('workspace', [{ pattern: `${nfd}/**`, level: 'noAccess' }]);
    const g = s.gateway();
    expect(g.explain(`${nfc}/menu.txt`).level).toBe('noAccess');
    expect(g.explain(`${nfd}/menu.txt`).level).toBe('noAccess');
    expect(g.explain(`${nfd}/menu.txt`).path).toBe(path.join(s.ws, nfc, 'menu.txt'));
  });

  it('follows a symlink whose name is in NFD', () => {
    s.file('home/.ssh/id_rsa');
    const nfdName = 'lie\u0301n';
    symlinkSync(path.join(s.home, '.ssh/id_rsa'), path.join(s.ws, nfdName));
    expect(s.gateway().explain(nfdName).level).toBe('noAccess');
  });
});

describe('case folding', () => {
  it('on a (simulated) case-insensitive volume, .ENV and Docs/ match .env and docs/**', () => {
    s.layer('workspace', [{ pattern: 'docs/**', level: 'readOnly' }]);
    const g = s.gateway({ caseInsensitive: () => true });
    const ex = g.explain('.ENV');
    expect(ex.level).toBe('noAccess');
    expect(ex.path).toBe(path.join(s.ws, '.env').toLowerCase());
    expect(g.explain('Docs/Readme.md').level).toBe('readOnly');
    expect(g.explain('~/.SSH/ID_RSA').level).toBe('noAccess');
    expect(g.explain(s.ws.toUpperCase() + '/x').level).toBe('readWrite');
  });

  it('on a case-sensitive volume they are different files', () => {
    s.layer('workspace', [{ pattern: 'docs/**', level: 'readOnly' }]);
    const g = s.gateway({ caseInsensitive: () => false });
    expect(g.explain('.ENV').level).toBe('readWrite');
    expect(g.explain('Docs/Readme.md').level).toBe('readWrite');
  });

  it('probes once per volume', () => {
    const probed: string[] = [];
    const g = s.gateway({
      caseInsensitive: (p) => {
        probed.push(p);
        return false;
      },
    });
    g.explain('a');
    g.explain('b/c');
    g.explain(path.join(s.home, 'x'));
    expect(probed).toHaveLength(1);
  });

  it('the default probe tells by looking the name up with its case swapped', () => {
    const dir = path.join(s.root, 'Probe');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'File'), '');
    // The sandbox lives on the test machine's temp volume: compare with what that volume does.
    let insensitive = false;
    try {
      writeFileSync(path.join(dir, 'FILE'), '', { flag: 'wx' });
    } catch {
      insensitive = true;
    }
    expect(probeCaseInsensitive(path.join(dir, 'File'))).toBe(insensitive);
    expect(probeCaseInsensitive(dir)).toBe(insensitive);
  });
});
