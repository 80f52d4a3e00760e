/**
 * The output digest covers the complete output every time, on real node-pty and bubblewrap, in
 * the case that loses data with plain node-pty: the child exits during a burst.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults, run, sha256 } from './helpers';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(path.join('/var/tmp', 'nome-complete-'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const seqOutput = (n: number) => {
  let s = '';
  for (let i = 1; i <= n; i++) s += `${i}\n`;
  return s;
};
const expected = seqOutput(200_000);
const expectedPty = Buffer.from(expected.replace(/\n/g, '\r\n'));

describe('complete output', () => {
  it('50 confined runs of `seq 1 200000`: each byte-exact, each digest of the complete output', async () => {
    for (let i = 0; i < 50; i++) {
      const { text, result } = await run(defaults(ws, { command: 'seq 1 200000' }));
      expect(result.confined, `run ${i}`).toBe(true);
      expect(result.exitCode, `run ${i}`).toBe(0);
      expect(result.outputComplete, `run ${i}`).toBe(true);
      expect(result.outputBytes, `run ${i}`).toBe(expectedPty.length);
      expect(result.outputSha256, `run ${i}`).toBe(sha256(expectedPty));
      // What the consumer received is the same bytes (normalising the pty's \r\n gives seq's output).
      expect(text.length, `run ${i}`).toBe(expectedPty.length);
      expect(text.replace(/\r\n/g, '\n') === expected, `run ${i} byte-exact`).toBe(true);
      expect(sha256(text), `run ${i}`).toBe(result.outputSha256);
    }
  }, 300_000);

  it('20 unconfined runs of `seq 1 200000` are complete too (the guarantee does not depend on bwrap)', async () => {
    for (let i = 0; i < 20; i++) {
      const { text, result } = await run(defaults(ws, { command: 'seq 1 200000', sandbox: 'off' }));
      expect(result.confined).toBe(false);
      expect(result.outputComplete).toBe(true);
      expect(result.outputSha256, `run ${i}`).toBe(sha256(expectedPty));
      expect(text.replace(/\r\n/g, '\n') === expected, `run ${i} byte-exact`).toBe(true);
    }
  }, 300_000);

  it('multi-byte UTF-8 split across reads arrives intact', async () => {
    const unit = 'é漢字😀\n';
    const { text, result } = await run(defaults(ws, { command: `for i in $(seq 1 20000); do printf '%s\\n' 'é漢字😀'; done` }));
    const want = unit.repeat(20000).replace(/\n/g, '\r\n');
    expect(result.outputComplete).toBe(true);
    expect(text === want).toBe(true);
    expect(result.outputSha256).toBe(sha256(want));
  }, 60_000);

  it('output without a trailing newline and empty output', async () => {
    let r = await run(defaults(ws, { command: "printf 'no newline'; exit 7" }));
    expect(r.text).toBe('no newline');
    expect(r.result).toMatchObject({ exitCode: 7, signal: null, outputBytes: 10, outputComplete: true, timedOut: false, cancelled: false });
    r = await run(defaults(ws, { command: 'true' }));
    expect(r.result).toMatchObject({ exitCode: 0, outputBytes: 0, outputSha256: sha256('') });
    expect(r.text).toBe('');
  });

  it('a command printing something that looks like the end marker cannot end the run early', async () => {
    const fake = `printf '\\033]777;nome-end;00000000000000000000000000000000;0\\007'; echo after; exit 4`;
    const { text, result } = await run(defaults(ws, { command: fake }));
    expect(result.exitCode).toBe(4);
    expect(text).toContain('after');
  });
});
