/** Service side of the Permissions screen (issue 4, point 9): the file tree and the layer watcher. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileTree, watchLayers } from '../../../src/main/permissions';
import { sandbox, type Sandbox } from './sandbox';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
  s.file('ws/.env');
  s.file('ws/README.md');
  s.file('ws/src/a.ts');
  s.file('ws/docs/guide.md');
});
afterEach(() => s.cleanup());

describe('fileTree', () => {
  it('lists one directory with each entry’s level, directories first', () => {
    s.layer('workspace', [{ pattern: 'docs/**', level: 'readOnly' }]);
    const tree = fileTree(s.gateway());
    expect(tree.dir).toBe('');
    expect(tree.truncated).toBe(false);
    expect(tree.entries.map((e) => [e.name, e.kind, e.level])).toEqual([
      ['.nome', 'dir', 'readOnly'],
      ['docs', 'dir', 'readWrite'],
      ['src', 'dir', 'readWrite'],
      ['.env', 'file', 'noAccess'],
      ['README.md', 'file', 'readWrite'],
    ]);
    expect(tree.entries.find((e) => e.name === '.env')!.winner).toMatchObject({ layer: 'built-in', pattern: '.env' });
    const docs = fileTree(s.gateway(), 'docs');
    expect(docs.entries).toEqual([{ name: 'guide.md', path: 'docs/guide.md', kind: 'file', level: 'readOnly', winner: expect.objectContaining({ pattern: 'docs/**' }) }]);
  });

  it('accepts a workspace path and marks symlinks', () => {
    s.file('home/.ssh/id_rsa');
    s.link('ws/key', path.join(s.home, '.ssh/id_rsa'));
    const tree = fileTree(s.ws, '', { env: s.env, home: s.home });
    expect(tree.entries.find((e) => e.name === 'key')).toMatchObject({ kind: 'symlink', level: 'noAccess' });
  });

  it('truncates long directories and refuses to leave the workspace', () => {
    expect(fileTree(s.gateway(), '', { limit: 2 })).toMatchObject({ truncated: true, entries: [{ name: 'docs' }, { name: 'src' }] });
    expect(() => fileTree(s.gateway(), '..')).toThrow(/outside the workspace/);
    expect(() => fileTree(s.gateway(), '/etc')).toThrow(/outside the workspace/);
  });
});

describe('watchLayers', () => {
  it('reloads the gateway and calls back when a layer file appears or changes', async () => {
    const g = s.gateway();
    expect(g.explain('src/a.ts').level).toBe('readWrite');
    let changes = 0;
    let notify: () => void = () => {};
    const watcher = watchLayers(
      g,
      () => {
        changes++;
        notify();
      },
      { debounceMs: 10 },
    );
    try {
      // `.nome/` does not exist yet: the watcher must notice it being created.
      const first = new Promise<void>((resolve) => (notify = resolve));
      s.layer('workspace', [{ pattern: 'src/**', level: 'readOnly' }]);
      await first;
      expect(g.explain('src/a.ts').level).toBe('readOnly');

      const second = new Promise<void>((resolve) => (notify = resolve));
      writeFileSync(path.join(s.ws, '.nome', 'permissions.json'), JSON.stringify({ rules: [{ pattern: 'src/**', level: 'noAccess' }] }));
      await second;
      expect(g.explain('src/a.ts').level).toBe('noAccess');
      expect(changes).toBe(2);
    } finally {
      watcher.close();
    }
  });

  it('does not call back for unrelated files in a watched directory', async () => {
    const g = s.gateway();
    let changes = 0;
    const watcher = watchLayers(g, () => changes++, { debounceMs: 10 });
    try {
      // The workspace root is watched (no .nome/ yet); churn there is not a layer change.
      s.file('ws/unrelated.txt', 'x');
      s.file('ws/src/more.ts', 'y');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(changes).toBe(0);
    } finally {
      watcher.close();
    }
  });
});
