import { describe, expect, it } from 'vitest';
import { isSecretName, scrubEnv } from '../../../src/main/sandbox';

const source: NodeJS.ProcessEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/ada',
  USER: 'ada',
  LANG: 'en_US.UTF-8',
  LC_ALL: 'en_US.UTF-8',
  LC_CTYPE: 'UTF-8',
  TERM: 'xterm-256color',
  SHELL: '/bin/zsh',
  TZ: 'Europe/Paris',
  GITHUB_TOKEN: 'ghp_x',
  NPM_TOKEN: 'npm_x',
  AWS_ACCESS_KEY_ID: 'AKIA',
  AWS_SECRET_ACCESS_KEY: 's',
  AWS_PROFILE: 'prod',
  OPENAI_API_KEY: 'sk-x',
  STRIPE_SECRET: 'sk_live',
  DB_PASSWORD: 'hunter2',
  MYSQL_PWD_PASSWORD_FILE: '/x',
  SSH_AUTH_SOCK: '/tmp/agent.sock',
  SIGNING_KEY: 'k',
  github_token: 'lower',
  RANDOM_VAR: 'x',
  NODE_OPTIONS: '--require /evil.js',
  LD_PRELOAD: '/evil.so',
  UNDEFINED_ONE: undefined,
};

describe('scrubEnv', () => {
  it('keeps only allow-listed, non-secret variables', () => {
    expect(scrubEnv(source)).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/ada',
      USER: 'ada',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'en_US.UTF-8',
      LC_CTYPE: 'UTF-8',
      TERM: 'xterm-256color',
      SHELL: '/bin/zsh',
      TZ: 'Europe/Paris',
    });
  });

  it('passes explicitly granted names, secret-looking or not', () => {
    const env = scrubEnv(source, ['NPM_TOKEN', 'RANDOM_VAR', 'NOT_PRESENT']);
    expect(env.NPM_TOKEN).toBe('npm_x');
    expect(env.RANDOM_VAR).toBe('x');
    expect('NOT_PRESENT' in env).toBe(false);
    expect(env.GITHUB_TOKEN).toBeUndefined();
  });

  it('never lets a secret-looking name through the allow-list, even with an allowed prefix', () => {
    const env = scrubEnv({ LC_API_KEY: 'x', LC_SECRET: 'y', LC_TOKEN: 'z', LC_NUMERIC: 'C' });
    expect(env).toEqual({ LC_NUMERIC: 'C' });
  });

  it('recognises the documented secret names', () => {
    for (const name of ['GITHUB_TOKEN', 'NPM_TOKEN', 'SSH_AUTH_SOCK', 'AWS_REGION', 'X_TOKEN', 'X_SECRET', 'X_KEY', 'MY_PASSWORD_FILE', 'gh_token']) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['PATH', 'HOME', 'LANG', 'KEYBOARD', 'TOKENIZER_MODE']) expect(isSecretName(name), name).toBe(false);
  });

  it('does not modify its source', () => {
    const copy = { ...source };
    scrubEnv(source, ['NPM_TOKEN']);
    expect(source).toEqual(copy);
  });
});
