/** Run output to renderers: delivery settles only when every connected renderer acknowledged it. */
import { describe, expect, it } from 'vitest';
import { TerminalHub } from '../../../src/main/host/terminals';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('TerminalHub', () => {
  it('with no renderer connected, output is not held back', async () => {
    const hub = new TerminalHub();
    hub.started({ runId: 'r', command: 'seq 3', workspace: '/ws', startedAt: 0 });
    expect(await settled(hub.deliver('r', 'hello'))).toBe(true);
  });

  it('holds a chunk until the renderer acknowledges its bytes, and releases on detach', async () => {
    const hub = new TerminalHub();
    const sent: unknown[] = [];
    const detach = hub.attach('c1', (name, payload) => sent.push([name, payload]));
    hub.started({ runId: 'r', command: 'cat', workspace: '/ws', startedAt: 0 });
    const first = hub.deliver('r', 'héllo'); // 6 bytes
    const second = hub.deliver('r', 'world');
    expect(sent).toContainEqual(['runOutput', { runId: 'r', data: 'héllo' }]);
    expect(await settled(first)).toBe(false);
    hub.ack('c1', 'r', 5);
    expect(await settled(first)).toBe(false);
    hub.ack('c1', 'r', 1);
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    detach();
    expect(await settled(second)).toBe(true);
  });

  it('waits for the slowest of several renderers', async () => {
    const hub = new TerminalHub();
    hub.attach('fast', () => {});
    hub.attach('slow', () => {});
    hub.started({ runId: 'r', command: 'x', workspace: '/ws', startedAt: 0 });
    const chunk = hub.deliver('r', 'abc');
    hub.ack('fast', 'r', 3);
    expect(await settled(chunk)).toBe(false);
    hub.ack('slow', 'r', 3);
    expect(await settled(chunk)).toBe(true);
  });

  it('keeps the newest output of a run for replay, bounded', async () => {
    const hub = new TerminalHub();
    hub.started({ runId: 'r', command: 'yes', workspace: '/ws', startedAt: 0 });
    for (let i = 0; i < 100; i++) await hub.deliver('r', 'y'.repeat(10_000));
    hub.ended('r');
    const [run] = hub.list();
    expect(run!.ended).toBe(true);
    expect(run!.replay.length).toBe(256 * 1024);
  });

  it('ignores acknowledgements for unknown connections or runs, and never over-counts', async () => {
    const hub = new TerminalHub();
    hub.attach('c', () => {});
    hub.ack('nobody', 'r', 10);
    hub.ack('c', 'unknown', 10);
    hub.started({ runId: 'r', command: 'x', workspace: '/ws', startedAt: 0 });
    hub.ack('c', 'r', 1000); // acks before any output count for nothing
    const chunk = hub.deliver('r', 'abc');
    expect(await settled(chunk)).toBe(false);
  });
});
