/**
 * The environment a supervised command sees: an allow-list of harmless variables from the source
 * environment, minus anything that looks like a credential, plus what the policy explicitly grants.
 *
 * Runtime: plain Node.
 */

/** Variables passed through when present (and not matching a secret pattern). */
export const ENV_ALLOW: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TERM',
  'COLORTERM',
  'TZ',
  'NO_COLOR',
  'FORCE_COLOR',
  'CLICOLOR',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'CI',
];
/** Prefixes passed through (locale settings). */
export const ENV_ALLOW_PREFIXES: readonly string[] = ['LC_'];

/**
 * Names that never pass unless granted by name in `allowEnv`, even when allow-listed above.
 * Matched case-insensitively against the whole name.
 */
export const ENV_DENY: readonly RegExp[] = [
  /_TOKEN$/i,
  /_SECRET$/i,
  /_KEY$/i,
  /PASSWORD/i,
  /PASSWD/i,
  /SECRET/i,
  /CREDENTIAL/i,
  /^AWS_/i,
  /^GITHUB_TOKEN$/i,
  /^NPM_TOKEN$/i,
  /^SSH_AUTH_SOCK$/i,
  /^GPG_AGENT_INFO$/i,
  /^TOKEN$/i,
  /API_?KEY/i,
];

export function isSecretName(name: string): boolean {
  return ENV_DENY.some((re) => re.test(name));
}

function allowListed(name: string): boolean {
  return ENV_ALLOW.includes(name) || ENV_ALLOW_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The scrubbed environment: allow-listed names that are not secret-looking, plus every name in
 * `allowEnv` (an explicit grant from the policy, which may include secret-looking names).
 * Values that are undefined are dropped. The source is never modified.
 */
export function scrubEnv(source: NodeJS.ProcessEnv, allowEnv: readonly string[] = []): Record<string, string> {
  const granted = new Set(allowEnv);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (granted.has(name) || (allowListed(name) && !isSecretName(name))) out[name] = value;
  }
  return out;
}
