/**
 * The renderer's Content-Security-Policy, sent as a response header by both hosts.
 * No 'unsafe-eval', no 'unsafe-inline' scripts, no remote origins.
 *
 * Runtime: plain Node.
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'", // xterm.js injects its theme as a <style> element; scripts stay strict
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${connectSources.map((s) => ` ${s}`).join('')}`,
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** True when a CSP string keeps the guarantees the app relies on; used by the start-up self-check. */
export function isStrictCsp(csp: string): boolean {
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map((parts) => [parts[0]!.toLowerCase(), parts.slice(1)] as const),
  );
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
  if (!scriptSrc) return false;
  const forbidden = ["'unsafe-eval'", "'unsafe-inline'", '*', 'http:', 'https:', 'data:', 'blob:'];
  if (scriptSrc.some((s) => forbidden.includes(s.toLowerCase()) || /^https?:\/\//i.test(s))) return false;
  return directives.get('default-src')?.[0] === "'none'" && directives.get('object-src')?.[0] === "'none'";
}
