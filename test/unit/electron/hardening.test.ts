import { describe, expect, it } from 'vitest';
import {
  classifyNavigation,
  hardenedWebPreferences,
  hardeningDrift,
  REQUIRED_PREFERENCES,
} from '../../../src/main/electron/hardening';
import { contentSecurityPolicy, isStrictCsp } from '../../../src/main/host/csp';

const goodRuntime = { sandboxed: true, contextIsolated: true };

describe('window hardening', () => {
  it('builds the window with context isolation, sandbox, no Node integration and web security', () => {
    const prefs = hardenedWebPreferences('/x/preload.js');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/x/preload.js',
    });
    expect(hardeningDrift(prefs, goodRuntime, contentSecurityPolicy())).toEqual([]);
  });

  it.each(Object.keys(REQUIRED_PREFERENCES))('refuses a window whose %s drifted', (key) => {
    const prefs = { ...hardenedWebPreferences('/p.js'), [key]: !(REQUIRED_PREFERENCES as Record<string, boolean>)[key] };
    expect(hardeningDrift(prefs, goodRuntime, contentSecurityPolicy()).join('\n')).toContain(`webPreferences.${key}`);
  });

  it('refuses a renderer that is not sandboxed or not isolated at run time, or did not report', () => {
    const prefs = hardenedWebPreferences('/p.js');
    expect(hardeningDrift(prefs, { sandboxed: false, contextIsolated: true }, contentSecurityPolicy())).toEqual(['the renderer is not sandboxed']);
    expect(hardeningDrift(prefs, { sandboxed: true, contextIsolated: false }, contentSecurityPolicy())).toEqual([
      'the renderer has no context isolation',
    ]);
    expect(hardeningDrift(prefs, null, contentSecurityPolicy())).toEqual(['the preload did not report the renderer it runs in']);
  });

  it('refuses a missing or weak Content-Security-Policy', () => {
    const prefs = hardenedWebPreferences('/p.js');
    expect(hardeningDrift(prefs, goodRuntime, null)).toEqual(['the renderer is served without a Content-Security-Policy header']);
    expect(hardeningDrift(prefs, goodRuntime, "default-src 'none'; script-src 'self' 'unsafe-eval'; object-src 'none'")).toHaveLength(1);
  });
});

describe('Content-Security-Policy', () => {
  it('is strict: no eval, no inline script, no remote origins', () => {
    const csp = contentSecurityPolicy();
    expect(isStrictCsp(csp)).toBe(true);
    expect(csp).not.toMatch(/unsafe-eval|https?:/);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe("script-src 'self'"); // inline styles are allowed for xterm.js; scripts never
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it.each([
    "default-src 'none'; script-src 'self' 'unsafe-eval'; object-src 'none'",
    "default-src 'none'; script-src 'self' 'unsafe-inline'; object-src 'none'",
    "default-src 'none'; script-src 'self' https://cdn.example.com; object-src 'none'",
    "default-src 'none'; script-src *; object-src 'none'",
    "default-src 'self'; script-src 'self'; object-src 'none'",
    "script-src 'self'",
  ])('rejects %s', (csp) => {
    expect(isStrictCsp(csp)).toBe(false);
  });
});

describe('navigation', () => {
  it.each([
    ['app://nome/index.html', 'app'],
    ['https://example.com/docs', 'external'],
    ['https://example.com.attacker.com/', 'external'],
    ['http://example.com/', 'blocked'],
    ['file:///etc/passwd', 'blocked'],
    ['javascript:alert(1)', 'blocked'],
    ['app://evil/index.html', 'blocked'],
    ['https://user:pw@example.com/', 'blocked'],
    ['not a url', 'blocked'],
  ])('%s is %s', (url, verdict) => {
    expect(classifyNavigation(url)).toBe(verdict);
  });
});
