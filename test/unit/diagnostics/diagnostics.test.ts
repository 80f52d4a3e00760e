/** The diagnostic log (issue 11): a rolled file of NOME's own words, in the data dir. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiagnostics, logDir } from '../../../src/main/diagnostics';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('diagnostics', () => {
  it('writes one JSON line per warning, with the event and fields, into logs/ in the data dir', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nome-diag-'));
    const log = await createDiagnostics({ dataDir: dir });
    log.warn('event.invalid', 'event approvalsChanged does not fit the contract; not sent', { name: 'approvalsChanged', at: 'pending.0.details.why.1' });
    log.warn('listener.failed', `an approvals listener failed: ${'x'.repeat(2000)}`);
    await log.close();
    const files = readdirSync(logDir(dir));
    expect(files).toHaveLength(1);
    const lines = readFileSync(path.join(logDir(dir), files[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 40, event: 'event.invalid', at: 'pending.0.details.why.1', msg: 'event approvalsChanged does not fit the contract; not sent' });
    expect((lines[1]!.msg as string).length).toBeLessThanOrEqual(501);
  });

  it('rolls the file when it reaches its size, keeping a bounded number of files', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nome-diag-'));
    const log = await createDiagnostics({ dataDir: dir, sizeLimit: '1k', files: 2 });
    for (let i = 0; i < 200; i++) {
      log.warn('listener.failed', `failure ${i} ${'y'.repeat(100)}`);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await log.close();
    await new Promise((r) => setTimeout(r, 50));
    const files = readdirSync(logDir(dir));
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(3);
  });
});
