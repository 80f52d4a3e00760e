import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { addStandingApproval, alwaysOffer, ApprovalError, ApprovalQueue, loadStandingApprovals, standingApprovalFor } from '../../../src/main/approvals';

const offered = { offered: true, text: 'exactly this' };
const base = { runId: 'r1', sessionId: 's1', tool: 'shell', subject: 'rm -rf build', grantKey: '/ws\0rm -rf build', details: { tier: 'danger' as const, executesCode: false, reasons: [], files: [], workspace: '/ws', agent: null, why: [] }, always: offered };

describe('ApprovalQueue', () => {
  it('settles on a person’s answer and records who', async () => {
    const q = new ApprovalQueue();
    const { approval, outcome } = q.request(base);
    expect(q.pending().map((a) => a.id)).toEqual([approval.id]);
    q.answer(approval.id, 'approve-once', { who: 'ana' });
    await expect(outcome).resolves.toEqual({ approved: true, answer: 'approve-once', reason: null, provenance: { by: 'user', who: 'ana' } });
    expect(q.pending()).toEqual([]);
  });

  it('a deny carries the reason back', async () => {
    const q = new ApprovalQueue();
    const { approval, outcome } = q.request(base);
    q.answer(approval.id, 'deny', { who: 'ana', reason: 'not today' });
    await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'deny', reason: 'not today' });
  });

  it('no answer before the timeout is a deny with reason timeout', async () => {
    vi.useFakeTimers();
    try {
      const q = new ApprovalQueue({ timeoutMs: 1000 });
      const { outcome } = q.request(base);
      vi.advanceTimersByTime(1000);
      await expect(outcome).resolves.toEqual({ approved: false, answer: 'timeout', reason: 'timeout', provenance: { by: 'timeout' } });
      expect(q.pending()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('defaults to ten minutes', () => {
    expect(new ApprovalQueue().timeoutMs).toBe(600_000);
  });

  it('refuses unknown, settled and not-offered answers', async () => {
    const q = new ApprovalQueue();
    expect(() => q.answer('nope', 'approve-once', { who: 'ana' })).toThrow(ApprovalError);
    const { approval } = q.request({ ...base, always: { offered: false, text: 'not offered: `python` runs code' } });
    expect(() => q.answer(approval.id, 'always', { who: 'ana' })).toThrow(/not offered/);
    q.answer(approval.id, 'approve-once', { who: 'ana' });
    expect(() => q.answer(approval.id, 'deny', { who: 'ana' })).toThrow(ApprovalError);
  });

  it('approve-session creates a grant for exactly that request in that session, revocable', async () => {
    const q = new ApprovalQueue();
    const changes = vi.fn();
    q.onChange(changes);
    const { approval } = q.request(base);
    q.answer(approval.id, 'approve-session', { who: 'ana' });
    const grant = q.grantFor('s1', 'shell', base.grantKey)!;
    expect(grant).toMatchObject({ sessionId: 's1', subject: 'rm -rf build', grantedBy: 'ana' });
    expect(q.grantFor('s2', 'shell', base.grantKey)).toBeUndefined();
    expect(q.grantFor('s1', 'shell', '/ws\0rm -rf build2')).toBeUndefined();
    expect(q.revokeGrant(grant.id)).toBe(true);
    expect(q.grantFor('s1', 'shell', base.grantKey)).toBeUndefined();
    expect(changes).toHaveBeenCalled();
  });

  it('cancel and close settle waiters as cancelled', async () => {
    const q = new ApprovalQueue();
    const a = q.request(base);
    const b = q.request(base);
    q.cancel(a.approval.id, 'client went away');
    q.close();
    await expect(a.outcome).resolves.toMatchObject({ approved: false, answer: 'cancelled', reason: 'client went away' });
    await expect(b.outcome).resolves.toMatchObject({ approved: false, answer: 'cancelled' });
  });
});

describe('standing approvals ("always")', () => {
  const cmd = (argv: string[], dynamic = false) => ({ argv, dynamic });

  it.each([
    ['python -c "print(1)"', [cmd(['python', '-c', 'print(1)'])]],
    ['bash -c "rm -rf x"', [cmd(['bash', '-c', 'rm -rf x']), cmd(['rm', '-rf', 'x'])]],
    ['env FOO=1 make', [cmd(['env', 'FOO=1', 'make']), cmd(['make'])]],
    ['sudo apt install x', [cmd(['sudo', 'apt', 'install', 'x'])]],
    ['node -e 1', [cmd(['node', '-e', '1'])]],
    ['/usr/bin/python3 x.py', [cmd(['/usr/bin/python3', 'x.py'])]],
    ['$X build', [cmd(['$X', 'build'], true)]],
  ])('is never offered for %s', (command, commands) => {
    expect(alwaysOffer(command, commands, '/ws').offered).toBe(false);
  });

  it('is offered for a plain command, with a preview of exactly what it allows', () => {
    const offer = alwaysOffer('rm -rf build', [cmd(['rm', '-rf', 'build'])], '/ws');
    expect(offer.offered).toBe(true);
    expect(offer.text).toContain('exactly `rm -rf build`');
    expect(offer.text).toContain('/ws');
  });

  function env() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'nome-standing-'));
    mkdirSync(path.join(root, 'ws', '.nome'), { recursive: true });
    return { root, env: { HOME: root, NOME_HOME: path.join(root, 'data'), NOME_MANAGED_POLICY: path.join(root, 'managed.json') }, ws: path.join(root, 'ws') };
  }

  it('adds a rule to the user layer, keeping its other sections, and matches exactly that command in that workspace', () => {
    const { env: e, ws, root } = env();
    mkdirSync(path.join(root, 'data'));
    writeFileSync(path.join(root, 'data', 'permissions.json'), JSON.stringify({ rules: [{ pattern: 'docs/**', level: 'readOnly' }] }));
    const file = addStandingApproval({ tool: 'shell', command: 'rm -rf build', workspace: ws }, e);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      rules: [{ pattern: 'docs/**', level: 'readOnly' }],
      approvals: [{ tool: 'shell', command: 'rm -rf build', workspace: ws }],
    });
    expect(standingApprovalFor('rm -rf build', ws, e)).toMatch(/^user:.*permissions\.json:\d+$/);
    expect(standingApprovalFor('rm -rf build ', ws, e)).toBeNull();
    expect(standingApprovalFor('rm -rf build', path.join(root, 'other'), e)).toBeNull();
  });

  it('is not read from the workspace layers (a cloned repository cannot pre-approve itself)', () => {
    const { env: e, ws } = env();
    writeFileSync(path.join(ws, '.nome', 'permissions.json'), JSON.stringify({ approvals: [{ tool: 'shell', command: 'curl x | sh' }] }));
    writeFileSync(path.join(ws, '.nome', 'permissions.local.json'), JSON.stringify({ approvals: [{ tool: 'shell', command: 'curl x | sh' }] }));
    expect(standingApprovalFor('curl x | sh', ws, e)).toBeNull();
  });

  it('reads a broken entry as approving nothing, with a file:line error', () => {
    const { env: e, ws, root } = env();
    mkdirSync(path.join(root, 'data'));
    writeFileSync(path.join(root, 'data', 'permissions.json'), '{\n  "approvals": [\n    {"tool": "shell"},\n    {"tool": "shell", "command": "make"}\n  ]\n}\n');
    const loaded = loadStandingApprovals(ws, e);
    expect(loaded.approvals.map((a) => a.entry.command)).toEqual(['make']);
    expect(loaded.errors).toEqual([expect.stringMatching(/permissions\.json:3: not a standing approval/)]);
  });

  it('refuses to rewrite a broken user layer file', () => {
    const { env: e, root } = env();
    mkdirSync(path.join(root, 'data'));
    writeFileSync(path.join(root, 'data', 'permissions.json'), '{ broken');
    expect(() => addStandingApproval({ tool: 'shell', command: 'make' }, e)).toThrow(/invalid JSON/);
    expect(readFileSync(path.join(root, 'data', 'permissions.json'), 'utf8')).toBe('{ broken');
  });
});
