/**
 * The window's security settings as data, and the start-up self-check that refuses a window whose
 * actual settings drifted from them.
 *
 * Runtime: Electron main (types only from electron, so tests load it without the binary).
 */
import type { WebPreferences } from 'electron';
import { isStrictCsp } from '../host/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'nome';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Keys whose value the app requires, exactly. */
export const REQUIRED_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
} as const satisfies WebPreferences;

export function hardenedWebPreferences(preload: string): WebPreferences {
  return { ...REQUIRED_PREFERENCES, preload, spellcheck: false };
}

/** What the preload observes about the renderer it actually runs in (see `reports.hardening` in the contract). */
export interface RuntimeReport {
  sandboxed: boolean;
  contextIsolated: boolean;
}

/**
 * Every way the window differs from what the app requires, as readable lines; empty when hardened.
 * `requested` is what the window was built with, `runtime` what its preload saw from inside
 * (null when no report came), `csp` the header the renderer is actually served with.
 */
export function hardeningDrift(requested: WebPreferences, runtime: RuntimeReport | null, csp: string | null): string[] {
  const drift: string[] = [];
  for (const [key, expected] of Object.entries(REQUIRED_PREFERENCES)) {
    const value = (requested as Record<string, unknown>)[key];
    if (value !== expected) drift.push(`webPreferences.${key} is ${String(value)}, expected ${String(expected)}`);
  }
  if ((requested as Record<string, unknown>).enableBlinkFeatures) drift.push('webPreferences.enableBlinkFeatures is set');
  if (runtime === null) drift.push('the preload did not report the renderer it runs in');
  else {
    if (!runtime.sandboxed) drift.push('the renderer is not sandboxed');
    if (!runtime.contextIsolated) drift.push('the renderer has no context isolation');
  }
  if (csp === null) drift.push('the renderer is served without a Content-Security-Policy header');
  else if (!isStrictCsp(csp)) drift.push(`the Content-Security-Policy is not strict: ${csp}`);
  return drift;
}

export type NavigationVerdict = 'app' | 'external' | 'blocked';

/**
 * What to do with a URL the renderer tries to open. Parsed, never prefix-matched:
 * `https://example.com.attacker.com` is just another external https URL.
 */
export function classifyNavigation(url: string): NavigationVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'blocked';
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return 'app';
  if (parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '') return 'external';
  return 'blocked';
}
