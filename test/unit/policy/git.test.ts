/** Repository-aware git: config keys (local and included) that make git run programs. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPolicyEngine, type PolicyEngine } from '../../../src/main/policy';
import { clearRepoConfigCache } from '../../../src/main/policy/git';

let engine: PolicyEngine;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
function repo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nome-git-'));
  git(dir, 'init', '-q');
  return dir;
}

function installHook(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), '#!/bin/sh\nid\n');
  chmodSync(path.join(dir, name), 0o755);
}

beforeAll(async () => {
  engine = await createPolicyEngine();
  clearRepoConfigCache();
});

const reasonFor = (ws: string, cmd: string) => engine.classify(cmd, { workspace: ws }).reasons.filter((r) => r.rule === 'git.config').map((r) => r.text);

describe('repository-aware git', () => {
  it('a clean repository: git status and git log are read', () => {
    const ws = repo();
    expect(engine.classify('git status', { workspace: ws }).tier).toBe('read');
    expect(engine.classify('git log -p', { workspace: ws }).tier).toBe('read');
  });

  it.each([
    ['core.fsmonitor', 'x', 'git status'],
    ['core.pager', 'less; id', 'git log'],
    ['core.sshCommand', 'ssh -oProxyCommand=id', 'git fetch'],
    ['diff.external', 'sh -c id', 'git diff'],
    ['filter.lfs.smudge', 'id', 'git status'],
    ['core.hooksPath', '.githooks', 'git commit -m x'],
  ])('%s makes %s not read, naming the key', (key, value, cmd) => {
    const ws = repo();
    git(ws, 'config', key, value);
    const r = engine.classify(cmd, { workspace: ws });
    expect(r.tier).not.toBe('read');
    expect(r.executesCode).toBe(true);
    expect(reasonFor(ws, cmd).join(' ')).toContain(key.toLowerCase());
  });

  it('alias.* makes the alias run code', () => {
    const ws = repo();
    git(ws, 'config', 'alias.st', '!id');
    const r = engine.classify('git st', { workspace: ws });
    expect(r.executesCode).toBe(true);
    expect(r.reasons.map((x) => x.text).join(' ')).toContain('alias.st');
  });

  it('keys pulled in through include and includeIf count', () => {
    const ws = repo();
    const inc = path.join(ws, 'extra.gitconfig');
    writeFileSync(inc, '[core]\n\tpager = sh -c id\n');
    git(ws, 'config', 'include.path', inc);
    clearRepoConfigCache();
    expect(reasonFor(ws, 'git log').join(' ')).toContain('core.pager');

    const ws2 = repo();
    const inc2 = path.join(ws2, 'cond.gitconfig');
    writeFileSync(inc2, '[core]\n\tfsmonitor = ./monitor.sh\n');
    git(ws2, 'config', `includeIf.gitdir:${ws2}/.git.path`, inc2);
    expect(reasonFor(ws2, 'git status').join(' ')).toContain('core.fsmonitor');
  });

  it('re-reads the configuration when it changes', () => {
    const ws = repo();
    expect(engine.classify('git status', { workspace: ws }).tier).toBe('read');
    git(ws, 'config', 'core.fsmonitor', 'x');
    expect(engine.classify('git status', { workspace: ws }).tier).not.toBe('read');
  });

  it('hooks installed in .git/hooks make committing run code', () => {
    const ws = repo();
    expect(engine.classify('git commit -m x', { workspace: ws }).reasons.some((x) => x.rule === 'git.hooks')).toBe(false);
    installHook(path.join(ws, '.git', 'hooks'), 'pre-commit');
    const r = engine.classify('git commit -m x', { workspace: ws });
    expect(r.reasons.some((x) => x.rule === 'git.hooks')).toBe(true);
    expect(engine.classify('git status', { workspace: ws }).tier).toBe('read');
  });

  it('finds the hooks of the repository the workspace sits in: a subdirectory, a linked worktree', () => {
    const top = repo();
    installHook(path.join(top, '.git', 'hooks'), 'pre-commit');
    const sub = path.join(top, 'packages', 'app');
    mkdirSync(sub, { recursive: true });
    expect(engine.classify('git commit -m x', { workspace: sub }).reasons.some((x) => x.rule === 'git.hooks')).toBe(true);

    git(top, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '--no-verify', '-m', 'init');
    const worktree = path.join(mkdtempSync(path.join(os.tmpdir(), 'nome-wt-')), 'wt');
    git(top, 'worktree', 'add', '-q', worktree);
    const r = engine.classify('git commit -m x', { workspace: worktree });
    expect(r.reasons.find((x) => x.rule === 'git.hooks')?.text).toContain('pre-commit');
    expect(engine.classify('git status', { workspace: worktree }).tier).toBe('read');
  });

  it('a nested repository is judged by its own configuration, reached by cd or -C', () => {
    const ws = repo();
    const nested = path.join(ws, 'vendor', 'lib');
    mkdirSync(nested, { recursive: true });
    git(nested, 'init', '-q');
    git(nested, 'config', 'core.fsmonitor', 'x');
    expect(engine.classify('git status', { workspace: ws }).tier).toBe('read');
    for (const cmd of ['cd vendor/lib && git status', 'git -C vendor/lib status', 'git -C vendor -C lib status', 'cd vendor && git -C lib status']) {
      expect(reasonFor(ws, cmd).join(' '), cmd).toContain('core.fsmonitor');
    }
    expect(engine.classify('git -C vendor status', { workspace: ws }).tier).toBe('read');
  });

  it('a directory that does not exist yet is not vouched for', () => {
    const ws = repo();
    const r = engine.classify('mkdir x && cd x && git status', { workspace: ws });
    expect(r.tier).not.toBe('read');
    expect(r.reasons.find((x) => x.rule === 'git.config-unreadable')?.text).toContain('does not exist yet');
  });

  it('notices a repository created above a workspace that had none', () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'nome-git-parent-'));
    const ws = path.join(parent, 'ws');
    mkdirSync(ws);
    expect(engine.classify('git status', { workspace: ws }).tier).toBe('read');
    git(parent, 'init', '-q');
    git(parent, 'config', 'core.fsmonitor', 'x');
    expect(reasonFor(ws, 'git status').join(' ')).toContain('core.fsmonitor');
  });

  it('another repository (git -C elsewhere, cd elsewhere) is not vouched for', () => {
    const ws = repo();
    expect(engine.classify('git -C /tmp status', { workspace: ws }).tier).not.toBe('read');
    expect(engine.classify('cd /tmp && git status', { workspace: ws }).tier).not.toBe('read');
    expect(engine.classify('git -C . status', { workspace: ws }).tier).toBe('read');
  });

  it('setting a hazardous key is danger', () => {
    const ws = repo();
    expect(engine.classify("git config core.pager 'sh -c id'", { workspace: ws }).tier).toBe('danger');
  });
});
