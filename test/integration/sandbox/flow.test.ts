/**
 * Flow control between the pty and a UI consumer: a consumer that never acknowledges sees the
 * pty paused with bounded buffering; acknowledging resumes it; past the output cap nothing more is
 * delivered but the digest still covers everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_MAX_BYTES, HIGH_WATER, runCommand } from '../../../src/main/sandbox';
import { defaults, eventually, sha256 } from './helpers';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(path.join('/var/tmp', 'nome-flow-'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** One node read from the pty is at most 64 KiB. */
const READ_MAX = 64 * 1024;

describe('flow control', () => {
  it('a consumer that never acks sees the pty paused and bounded buffering; acking resumes and completes', async () => {
    const total = 30_000_000;
    const handle = runCommand(defaults(ws, { command: `head -c ${total} /dev/zero | tr '\\0' a` }));
    let received = 0;
    let acking = false;
    const parts: string[] = [];
    handle.onData((chunk) => {
      received += chunk.length;
      parts.push(chunk);
      if (acking) handle.ack(Buffer.byteLength(chunk));
    });
    expect(await eventually(() => handle.stats().paused)).toBe(true);
    const first = handle.stats();
    // Let the command push against the paused pty for a while; nothing more may be taken in.
    await new Promise((r) => setTimeout(r, 300));
    const later = handle.stats();
    for (const s of [first, later]) {
      expect(s.paused).toBe(true);
      expect(s.unacked).toBeLessThanOrEqual(HIGH_WATER + READ_MAX);
      expect(s.pending).toBeLessThanOrEqual(BATCH_MAX_BYTES + READ_MAX);
      expect(s.outputBytes).toBeLessThanOrEqual(HIGH_WATER + 4 * READ_MAX);
    }
    expect(later.outputBytes).toBe(first.outputBytes);
    expect(received).toBeLessThanOrEqual(HIGH_WATER + READ_MAX);

    // Acknowledge what was delivered, and everything from now on: the pty resumes.
    acking = true;
    handle.ack(received);
    const result = await handle.result;
    expect(result).toMatchObject({ exitCode: 0, outputBytes: total, truncatedForUi: false, outputComplete: true });
    expect(result.outputSha256).toBe(sha256('a'.repeat(total)));
    expect(received).toBe(total);
    expect(parts.join('') === 'a'.repeat(total)).toBe(true);
  }, 60_000);

  it('past the output cap nothing more goes to the UI, the run completes without acks, the digest covers everything', async () => {
    const handle = runCommand(defaults(ws, { command: 'seq 1 100000', outputCapBytes: 1000 }));
    let text = '';
    handle.onData((chunk) => {
      text += chunk; // never acknowledged
    });
    const result = await handle.result;
    let all = '';
    for (let i = 1; i <= 100_000; i++) all += `${i}\r\n`;
    expect(result).toMatchObject({ exitCode: 0, truncatedForUi: true, outputBytes: all.length, outputComplete: true });
    expect(result.outputSha256).toBe(sha256(all));
    expect(text).toBe(all.slice(0, 1000));
    expect(handle.stats().uiBytes).toBe(1000);
  }, 60_000);

  it('a large cap with an acking consumer never pauses for long and batches chunks', async () => {
    const handle = runCommand(defaults(ws, { command: 'seq 1 200000' }));
    let calls = 0;
    let bytes = 0;
    let biggest = 0;
    handle.onData((chunk) => {
      calls++;
      bytes += Buffer.byteLength(chunk);
      biggest = Math.max(biggest, chunk.length);
      handle.ack(Buffer.byteLength(chunk));
    });
    const result = await handle.result;
    expect(bytes).toBe(result.outputBytes);
    expect(biggest).toBeLessThanOrEqual(BATCH_MAX_BYTES + READ_MAX);
    expect(calls).toBeGreaterThan(0);
    expect(handle.stats()).toMatchObject({ unacked: 0, paused: false });
  });

  it('output produced before anyone listens is kept (bounded) and delivered on subscription', async () => {
    const handle = runCommand(defaults(ws, { command: 'echo early; sleep 0.2; echo late' }));
    await eventually(() => handle.stats().outputBytes >= 7);
    let text = '';
    handle.onData((c) => {
      text += c;
      handle.ack(Buffer.byteLength(c));
    });
    await handle.result;
    expect(text).toBe('early\r\nlate\r\n');
  });
});
