/** The `nome classify` / `nome check` contract, run as a process (through tsx on the sources). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeSandbox } from '../../../src/main/sandbox';

const repo = path.resolve(__dirname, '../../..');
const tsx = path.join(repo, 'node_modules', '.bin', 'tsx');
const home = mkdtempSync(path.join(os.tmpdir(), 'nome-cli-home-'));
const env = { ...process.env, NOME_HOME: home, NOME_MANAGED_POLICY: path.join(home, 'managed.json') };
const nome = (args: string[], input?: string) => spawnSync(tsx, [path.join(repo, 'src/cli/nome.ts'), ...args], { encoding: 'utf8', input, env, cwd: repo });

describe('nome classify / check', () => {
  it('classify --json prints exactly the contract', () => {
    const r = nome(['classify', '--json', '--', 'git show > ~/.ssh/x']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['tier', 'executesCode', 'reasons', 'commands', 'files']);
    expect(out.tier).toBe('danger');
    expect(Object.keys(out.reasons[0])).toEqual(['rule', 'tier', 'text', 'span']);
    expect(out.commands).toEqual([{ argv: ['git', 'show'], tier: 'read', dynamic: false }]);
    expect(out.files).toEqual([{ path: '~/.ssh/x', access: 'write' }]);
  });

  it('classify exits 0 whatever the tier; plain output underlines the span', () => {
    const r = nome(['classify', '--', 'rm -rf /']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tier: danger/);
    expect(r.stdout).toContain('rm -rf /\n');
    expect(r.stdout).toMatch(/\n {12}\^\^\^\n/);
  });

  it('--jsonl: one result per line, bad lines get an error and exit 1 at the end', () => {
    const r = nome(['classify', '--jsonl'], '"ls"\nnot json\n42\n"rm -rf /"\n');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].tier).toBe('read');
    expect(lines[1].error).toMatch(/JSON/);
    expect(lines[2].error).toBeDefined();
    expect(lines[3].tier).toBe('danger');
    expect(r.status).toBe(1);
  });

  it('check adds the matrix decision, reading the workspace layer', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'nome-cli-ws-'));
    const a = JSON.parse(nome(['check', '--workspace', ws, '--json', '--', 'touch a.txt']).stdout);
    expect(a).toMatchObject({ tier: 'write', decision: 'allow' });
    expect(Object.keys(a)).toEqual(['tier', 'executesCode', 'reasons', 'commands', 'files', 'decision', 'confined']);
    // Outside the workspace the cascade's default is readOnly, so the write is denied outright.
    const outside = JSON.parse(nome(['check', '--workspace', ws, '--json', '--', 'touch /tmp/a']).stdout);
    expect(outside.decision).toBe('deny');
    expect(outside.files).toEqual([{ path: '/tmp/a', access: 'write', level: 'readOnly', allowed: false }]);
    // A file the built-in rules protect is denied even when the command reads it through a glob.
    writeFileSync(path.join(ws, '.env'), 'SECRET=1\n');
    const glob = JSON.parse(nome(['check', '--workspace', ws, '--json', '--', 'cat .e*']).stdout);
    expect(glob.decision).toBe('deny');
    expect(glob.files).toContainEqual({ path: path.join(realpathSync(ws), '.env'), access: 'read', level: 'noAccess', allowed: false });
    mkdirSync(path.join(ws, '.nome'));
    writeFileSync(path.join(ws, '.nome', 'permissions.json'), JSON.stringify({ tools: [{ tool: 'shell', tier: 'write', decision: 'deny' }] }));
    expect(JSON.parse(nome(['check', '--workspace', ws, '--json', '--', 'touch a.txt']).stdout).decision).toBe('deny');
  });

  it('check says what the supervisor would do here: it probes the sandbox, and --confined/--unconfined ask what-if', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'nome-cli-ws-'));
    writeFileSync(path.join(ws, 'build.sh'), 'echo built\n');
    const here = JSON.parse(nome(['check', '--workspace', ws, '--json', '--', 'sh build.sh']).stdout);
    expect(here.confined).toBe(probeSandbox().confined);
    const confined = JSON.parse(nome(['check', '--workspace', ws, '--json', '--confined', '--', 'sh build.sh']).stdout);
    const unconfined = JSON.parse(nome(['check', '--workspace', ws, '--json', '--unconfined', '--', 'sh build.sh']).stdout);
    expect(confined).toMatchObject({ tier: 'write', decision: 'allow', confined: true });
    expect(unconfined).toMatchObject({ tier: 'danger', decision: 'ask', confined: false });
    expect(here.decision).toBe(probeSandbox().confined ? 'allow' : 'ask');
    expect(nome(['check', '--workspace', ws, '--confined', '--unconfined', '--', 'ls']).status).toBe(2);
  });

  it('check --jsonl judges a batch: one result per line, with the decision and file levels; a bad line gets an error', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'nome-cli-ws-'));
    writeFileSync(path.join(ws, '.env'), 'S=1\n');
    const input = [JSON.stringify('ls'), JSON.stringify('cat .env'), 'not json', JSON.stringify('rm -rf /')].join('\n') + '\n';
    const r = nome(['check', '--workspace', ws, '--jsonl', '--confined'], input);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ tier: 'read', decision: 'allow', confined: true });
    expect(lines[1]).toMatchObject({ decision: 'deny', files: [{ access: 'read', level: 'noAccess', allowed: false }] });
    expect(lines[2]!.error).toBeDefined();
    expect(lines[3]).toMatchObject({ tier: 'danger' });
    expect(r.status).toBe(1);
  });

  it('usage errors exit 2', () => {
    expect(nome(['check', '--json', '--', 'ls']).status).toBe(2);
    expect(nome(['classify', '--json']).status).toBe(2);
  });
});
