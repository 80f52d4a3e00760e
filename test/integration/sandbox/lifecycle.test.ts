/** Timeouts and cancel kill the whole process tree, on real node-pty and bubblewrap. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/main/sandbox';
import { defaults, eventually, liveProcesses, run } from './helpers';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(path.join('/var/tmp', 'nome-lifecycle-'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** A command that leaves a backgrounded grandchild (and a setsid'd one) and then hangs. */
const tree = (tag: string, setsid: boolean) =>
  `(exec -a nome-gc-${tag} sleep 300) & ` +
  (setsid ? `setsid bash -c 'exec -a nome-gc-${tag} sleep 300' & ` : '') +
  `sleep 0.1; echo started; exec -a nome-child-${tag} sleep 300`;

describe.each([
  ['confined', 'auto' as const, true],
  ['unconfined', 'off' as const, false],
])('%s', (_name, sandbox, setsid) => {
  it('a timeout kills the process tree, backgrounded grandchildren included', async () => {
    const tag = randomBytes(6).toString('hex');
    const { text, result } = await run(defaults(ws, { command: tree(tag, setsid), timeoutMs: 4000, sandbox }));
    expect(text).toContain('started'); // the grandchildren existed before the kill
    expect(result).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: 'SIGKILL', outputComplete: false });
    expect(await eventually(() => liveProcesses(tag).length === 0), `survivors: ${liveProcesses(tag).join(',')}`).toBe(true);
  });

  it('cancel kills the process tree', async () => {
    const tag = randomBytes(6).toString('hex');
    const handle = runCommand(defaults(ws, { command: tree(tag, setsid), sandbox }));
    let before = -1;
    handle.onData((chunk) => {
      if (!chunk.includes('started')) return;
      // The /proc scan does see the grandchildren from here, so "none left" below means something.
      before = liveProcesses(`nome-gc-${tag}`, 'argv0').length;
      handle.cancel();
    });
    const result = await handle.result;
    expect(before).toBe(setsid ? 2 : 1);
    expect(result).toMatchObject({ cancelled: true, timedOut: false, exitCode: null, signal: 'SIGKILL' });
    expect(await eventually(() => liveProcesses(tag).length === 0), `survivors: ${liveProcesses(tag).join(',')}`).toBe(true);
  });

  it('a command that finished leaves nothing running behind it', async () => {
    const tag = randomBytes(6).toString('hex');
    const { result } = await run(defaults(ws, { command: `(exec -a nome-gc-${tag} sleep 300) & echo bye`, sandbox }));
    expect(result).toMatchObject({ exitCode: 0, outputComplete: true });
    expect(await eventually(() => liveProcesses(tag).length === 0)).toBe(true);
  });
});

describe('exit status', () => {
  it('reports the shell status, including 128+n for a signal death inside', async () => {
    expect((await run(defaults(ws, { command: 'exit 42' }))).result.exitCode).toBe(42);
    expect((await run(defaults(ws, { command: 'kill -TERM $$' }))).result.exitCode).toBe(143);
  });
  it('cancel after the end is harmless', async () => {
    const handle = runCommand(defaults(ws, { command: 'echo hi' }));
    const result = await handle.result;
    handle.cancel();
    expect(result).toMatchObject({ exitCode: 0, cancelled: false });
  });
});
