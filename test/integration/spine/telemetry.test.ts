/**
 * With telemetry opted in, a real run through the spine reaches the telemetry store only as counts
 * and latencies: none of its strings (command text, paths, output, user) are in the store's bytes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTelemetry, telemetryPath } from '../../../src/main/telemetry';
import { makeSandbox, nome, startServer } from '../../support/nome';

describe('telemetry through the spine', () => {
  it('records counts and latencies of a run, and none of its strings', async () => {
    const box = makeSandbox();
    box.env.NOME_TELEMETRY = '1';
    const server = await startServer(box);
    const marker = 'Zebra-Quokka-4711';
    const outputMarker = 'Output-Narwhal-0815';
    const ran = await nome(box, ['exec', '--', `echo ${outputMarker} > ${marker}.txt; cat ${marker}.txt`]);
    expect(ran.stdout).toContain(outputMarker);
    writeFileSync(path.join(box.workspace, '.env'), 'SECRET=1\n');
    const denied = await nome(box, ['exec', '--', `cat .env ${marker}.txt`]);
    expect(denied.code).toBe(126);
    await server.stop();

    const store = telemetryPath(box.dataDir);
    const dir = path.dirname(store);
    const files = readdirSync(dir).filter((f) => f.startsWith(path.basename(store)));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
    for (const secret of [marker, outputMarker, box.workspace, box.home, 'echo', 'cat .env']) {
      expect(bytes.includes(Buffer.from(secret)), `telemetry store contains ${secret}`).toBe(false);
    }

    const telemetry = createTelemetry({ dataDir: box.dataDir, enabled: true });
    const snapshot = telemetry.snapshot();
    telemetry.close();
    expect(snapshot.counts['run.started']).toBe(2);
    expect(snapshot.counts['run.denied']).toBe(1);
    expect(snapshot.counts['run.completed']).toBe(1);
    expect(snapshot.latencies['policy.classify']?.count).toBe(2);
    expect(existsSync(store)).toBe(true);
  });
});
