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
    const hook = path.join(ws, '.git', 'hooks', 'pre-commit');
    mkdirSync(path.dirname(hook), { recursive: true });
    writeFileSync(hook, '#!/bin/sh\nid\n');
    chmodSync(hook, 0o755);
    const r = engine.classify('git commit -m x', { workspace: ws });
    expect(r.reasons.some((x) => x.rule === 'git.hooks')).toBe(true);
    expect(engine.classify('git status', { workspace: ws }).tier).toBe('read');
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
