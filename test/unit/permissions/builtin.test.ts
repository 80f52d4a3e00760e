/** The built-in layer (issue 4, point 5): present with no layer files, and everywhere it should be. */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_RULES } from '../../../src/main/permissions';
import { sandbox, type Sandbox } from './sandbox';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

describe('built-in rules', () => {
  it.each([
    ['.env', 'noAccess', '.env'],
    ['app/config/.env', 'noAccess', '.env'],
    ['.env.production', 'noAccess', '.env.*'],
    ['certs/server.pem', 'noAccess', '*.pem'],
    ['tls/server.key', 'noAccess', '*.key'],
    ['store.p12', 'noAccess', '*.p12'],
    ['store.pfx', 'noAccess', '*.pfx'],
    ['deploy/id_rsa', 'noAccess', 'id_rsa*'],
    ['deploy/id_ed25519.pub', 'noAccess', 'id_ed25519*'],
    ['id_ecdsa', 'noAccess', 'id_ecdsa*'],
    ['.git/hooks/pre-commit', 'readOnly', '**/.git/hooks'],
    ['.git/hooks', 'readOnly', '**/.git/hooks'],
    ['vendor/sub/.git/hooks/post-checkout', 'readOnly', '**/.git/hooks'],
    ['.git/config', 'readOnly', '**/.git/config'],
    ['.git/config.worktree', 'readOnly', '**/.git/config.worktree'],
    ['.git/modules/lib/hooks/pre-commit', 'readOnly', '**/.git/modules/**/hooks'],
    ['.git/modules/lib/modules/inner/config', 'readOnly', '**/.git/modules/**/config'],
    ['.git/worktrees/feature/config.worktree', 'readOnly', '**/.git/worktrees/*/config.worktree'],
    ['.git/commondir', 'readOnly', '**/.git/commondir'],
    ['.git/worktrees/feature/commondir', 'readOnly', '**/.git/worktrees/*/commondir'],
    ['.nome/permissions.json', 'readOnly', '{workspace}/.nome'],
    ['.nome', 'readOnly', '{workspace}/.nome'],
  ])('inside the workspace: %s is %s by %s', (p, level, pattern) => {
    const ex = s.gateway().explain(p);
    expect(ex.level).toBe(level);
    expect(ex.winner).toMatchObject({ layer: 'built-in', source: 'built-in', line: null, pattern });
  });

  it.each([
    ['~/.ssh/id_rsa', 'noAccess'],
    ['~/.claude/.credentials.json', 'noAccess'],
    ['~/.codex/auth.json', 'noAccess'],
    ['~/.gemini/oauth_creds.json', 'noAccess'],
    ['~/.cache/huggingface/token', 'noAccess'],
    ['~/.config/github-copilot/hosts.json', 'noAccess'],
    ['~/.m2/settings.xml', 'noAccess'],
    ['~/.config/rclone/rclone.conf', 'noAccess'],
    ['~/.pgpass', 'noAccess'],
    ['~/.bash_history', 'noAccess'],
    ['~/.local/share/fish/fish_history', 'noAccess'],
    ['~/.config/git/credentials', 'noAccess'],
    ['~/.ssh/config', 'noAccess'],
    ['~/.aws/credentials', 'noAccess'],
    ['~/.config/gcloud/application_default_credentials.json', 'noAccess'],
    ['~/.azure/accessTokens.json', 'noAccess'],
    ['~/.kube/config', 'noAccess'],
    ['~/.docker/config.json', 'noAccess'],
    ['~/.netrc', 'noAccess'],
    ['~/.npmrc', 'noAccess'],
    ['~/.pypirc', 'noAccess'],
    ['~/.git-credentials', 'noAccess'],
    ['~/.gnupg/private-keys-v1.d/x.key', 'noAccess'],
    ['~/Library/Keychains/login.keychain-db', 'noAccess'],
    ['~/.local/share/keyrings/login.keyring', 'noAccess'],
    ['~/other-project/.env', 'noAccess'],
    ['~/.bashrc', 'readOnly'],
    ['~/.zshrc', 'readOnly'],
    ['~/.profile', 'readOnly'],
  ])('in the home directory: %s is %s', (p, level) => {
    const ex = s.gateway().explain(p);
    expect(ex.path).toBe(path.join(s.home, p.slice(2)));
    expect(ex.level).toBe(level);
    expect(ex.winner?.layer).toBe('built-in');
  });

  it("protects NOME's data dir (noAccess) and the managed policy (readOnly)", () => {
    const g = s.gateway();
    expect(g.explain(path.join(s.nomeHome, 'permissions.json')).level).toBe('noAccess');
    expect(g.explain(path.join(s.nomeHome, 'audit.db')).level).toBe('noAccess');
    expect(g.explain(s.nomeHome).level).toBe('noAccess');
    const managed = g.explain(s.managed);
    expect(managed.level).toBe('readOnly');
    expect(managed.winner).toMatchObject({ pattern: '{managedPolicy}', note: `{managedPolicy} is ${s.managed}` });
  });

  it('covers a workspace under the shell start-up rules too: a workspace that is HOME', () => {
    const g = s.gateway({ workspace: s.home });
    expect(g.explain('.bashrc').level).toBe('readOnly');
    expect(g.explain('.ssh/id_rsa').level).toBe('noAccess');
    expect(g.explain('notes.txt').level).toBe('readWrite');
  });

  it('glob-escapes the paths it builds patterns from', () => {
    const g = s.gateway({ home: path.join(s.root, 'we[i]rd*home') });
    expect(g.explain(path.join(s.root, 'we[i]rd*home', '.ssh', 'id_x')).level).toBe('noAccess');
    expect(g.explain(path.join(s.root, 'weirdXhome', '.ssh', 'id_x')).level).toBe('readOnly');
  });

  it('is data: every entry has a pattern, a level and a reason', () => {
    for (const rule of BUILT_IN_RULES) {
      expect(rule.pattern).toBeTruthy();
      expect(['noAccess', 'readOnly']).toContain(rule.level);
      expect(rule.why).toBeTruthy();
    }
  });
});
