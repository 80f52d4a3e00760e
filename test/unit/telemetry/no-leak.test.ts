/**
 * With telemetry on, none of the strings of a run reach its store: run a realistic sequence (a real
 * sandboxed command, its receipts, and the telemetry calls the supervisor makes, plus attempts to
 * smuggle text in), then scan every byte of the telemetry store's files for those strings. The same
 * scan finds them in the audit store, so the method is sound.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAuditStore } from '../../../src/main/audit';
import { runCommand } from '../../../src/main/sandbox';
import { createTelemetry } from '../../../src/main/telemetry';

let base: string;
beforeAll(() => {
  base = mkdtempSync(path.join('/var/tmp', 'nome-noleak-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function occurs(haystack: Buffer, needle: string): boolean {
  return haystack.includes(Buffer.from(needle, 'utf8')) || haystack.includes(Buffer.from(needle, 'utf16le'));
}

it('no command text, path, output or user name reaches the telemetry store', async () => {
  const tag = randomBytes(5).toString('hex');
  const user = `zelda${tag}`;
  const dataDir = path.join(base, 'data');
  const workspace = path.join(base, `proj-${tag}`);
  mkdirSync(workspace, { recursive: true });
  const outputWord = `OUTPUT${tag}`;
  const command = `echo ${outputWord}; echo "$USER" ; ls -la ${workspace} ; echo bye-${tag}`;
  const strings = [command, `echo ${outputWord}`, outputWord, user, workspace, `proj-${tag}`, `bye-${tag}`];

  const telemetry = createTelemetry({ dataDir, enabled: true });
  const audit = openAuditStore({ dataDir, tenant: 'local' });
  const runId = `run-${tag}`;

  telemetry.count('app.started');
  telemetry.latency('app.startup', 840);
  telemetry.count('gateway.client_connected');
  audit.append({ runId, kind: 'run.started', payload: { workspace, agent: user } });
  telemetry.latency('policy.classify', 0.4);
  audit.append({
    runId,
    kind: 'tool.call',
    payload: { tool: 'shell', request: { command }, segments: [{ argv: ['echo', outputWord] }], decision: { verdict: 'ask', rule: null, policyVersion: 'v1' } },
  });
  telemetry.count('approval.requested');
  audit.append({ runId, kind: 'approval.answered', payload: { approvalId: 'a1', answer: 'approve-once', provenance: { by: 'user', who: user } } });
  telemetry.count('approval.approved_once');
  telemetry.latency('approval.wait', 2300);

  const handle = runCommand({
    command,
    cwd: workspace,
    workspace,
    env: { ...process.env, USER: user },
    timeoutMs: 30_000,
    outputCapBytes: 1 << 20,
    network: false,
    hidePaths: [],
  });
  let output = '';
  handle.onData((c) => {
    output += c;
    handle.ack(Buffer.byteLength(c));
  });
  const result = await handle.result;
  expect(output).toContain(outputWord);
  expect(output).toContain(user);

  const t0 = performance.now();
  audit.append({
    runId,
    kind: 'command.exit',
    payload: { exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, outputSha256: result.outputSha256, confined: result.confined },
  });
  telemetry.latency('receipt.append', performance.now() - t0);
  telemetry.count('run.started');
  telemetry.count(result.exitCode === 0 ? 'run.completed' : 'run.failed');
  telemetry.count(result.confined ? 'run.confined' : 'run.unconfined');
  telemetry.latency('command.run', result.durationMs);
  telemetry.latency('gateway.request', result.durationMs + 3);

  // Careless or hostile callers cannot get text in either.
  for (const s of [...strings, output]) {
    expect(() => telemetry.count(s as never)).toThrow();
    expect(() => telemetry.latency('command.run', s as never)).toThrow();
    expect(() => telemetry.latency(s as never, 1)).toThrow();
  }
  expect(telemetry.snapshot().counts['run.completed']).toBe(1);

  const scan = (root: string) => {
    const files = filesUnder(root);
    expect(files.length).toBeGreaterThan(0);
    return files.map((f) => readFileSync(f));
  };
  const telemetryDir = path.join(dataDir, 'telemetry');
  // While open (data possibly still in the WAL) and after close (checkpointed into the db file).
  for (const phase of ['open', 'closed']) {
    if (phase === 'closed') {
      telemetry.close();
      audit.close();
    }
    const telemetryBytes = scan(telemetryDir);
    for (const s of [...strings, ...output.split(/\r\n/).filter((l) => l.length >= 6)]) {
      for (const bytes of telemetryBytes) expect(occurs(bytes, s), `${phase}: "${s}" in the telemetry store`).toBe(false);
    }
    // Control: the audit store next to it does hold the run's strings, and the scan finds them.
    const auditBytes = Buffer.concat(scan(path.join(dataDir, 'tenants')));
    for (const s of [outputWord, user, workspace]) expect(occurs(auditBytes, s), `${phase}: control "${s}"`).toBe(true);
  }
  // Only telemetry's own files live in its directory.
  expect(readdirSync(telemetryDir).every((f) => f.startsWith('telemetry.sqlite'))).toBe(true);
});
