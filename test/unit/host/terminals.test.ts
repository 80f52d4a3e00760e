/**
 * Run output to renderers by subscription (issue 11): a chunk waits only for the renderers that
 * have that run open, so no screen choice, and no second run, can stall a command.
 */
import { describe, expect, it } from 'vitest';
import { REPLAY_BYTES, TerminalHub } from '../../../src/main/host/terminals';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

/** The renderer's rule (sessions.tsx): a terminal that is mounted opens its run and acknowledges what it wrote; nothing else does. */
function renderer(hub: TerminalHub, id: string) {
  const received: { runId: string; data: string }[] = [];
  const events: string[] = [];
  hub.attach(id, (name, payload) => {
    events.push(name);
    if (name === 'runOutput') received.push(payload as { runId: string; data: string });
  });
  return {
    received,
    events,
    show: (runId: string) => hub.open(id, runId),
    hide: (runId: string) => hub.close(id, runId),
    ackAll: () => {
      for (const r of received.splice(0)) hub.ack(id, r.runId, Buffer.byteLength(r.data));
    },
  };
}

describe('TerminalHub', () => {
  it('with no renderer connected, output is not held back', async () => {
    const hub = new TerminalHub();
    hub.started({ runId: 'r', command: 'seq 3', workspace: '/ws', startedAt: 0 });
    expect(await settled(hub.deliver('r', 'hello'))).toBe(true);
  });

  it('a renderer on another screen (the run not open) holds nothing back and gets no output, only the run list events', async () => {
    const hub = new TerminalHub();
    const ui = renderer(hub, 'c1');
    hub.started({ runId: 'r', command: 'seq', workspace: '/ws', startedAt: 0 });
    for (let i = 0; i < 100; i++) expect(await settled(hub.deliver('r', 'x'.repeat(10_000)))).toBe(true);
    expect(ui.received).toEqual([]);
    expect(ui.events).toEqual(['runStarted']);
  });

  it('holds a chunk until the renderer that opened the run acknowledges its bytes; closing or detaching releases', async () => {
    const hub = new TerminalHub();
    const sent: unknown[] = [];
    const detach = hub.attach('c1', (name, payload) => sent.push([name, payload]));
    hub.started({ runId: 'r', command: 'cat', workspace: '/ws', startedAt: 0 });
    expect(hub.open('c1', 'r')).toEqual({ replay: '', ended: false });
    const first = hub.deliver('r', 'héllo'); // 6 bytes
    const second = hub.deliver('r', 'world');
    expect(sent).toContainEqual(['runOutput', { runId: 'r', data: 'héllo' }]);
    expect(await settled(first)).toBe(false);
    hub.ack('c1', 'r', 5);
    expect(await settled(first)).toBe(false);
    hub.ack('c1', 'r', 1);
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    hub.close('c1', 'r');
    expect(await settled(second)).toBe(true);
    expect(await settled(hub.deliver('r', 'after close'))).toBe(true);
    hub.open('c1', 'r');
    const third = hub.deliver('r', 'again');
    expect(await settled(third)).toBe(false);
    detach();
    expect(await settled(third)).toBe(true);
  });

  it('two runs at once, the window showing one: the other never waits, the shown one waits for its terminal', async () => {
    const hub = new TerminalHub();
    const ui = renderer(hub, 'c1');
    hub.started({ runId: 'shown', command: 'a', workspace: '/ws', startedAt: 0 });
    hub.started({ runId: 'other', command: 'b', workspace: '/ws', startedAt: 0 });
    ui.show('shown');
    const shown = hub.deliver('shown', 'abc');
    for (let i = 0; i < 50; i++) expect(await settled(hub.deliver('other', 'y'.repeat(10_000)))).toBe(true);
    expect(await settled(shown)).toBe(false);
    expect(ui.received.every((r) => r.runId === 'shown')).toBe(true);
    ui.ackAll();
    expect(await settled(shown)).toBe(true);
  });

  it('waits for the slowest of the renderers that opened the run', async () => {
    const hub = new TerminalHub();
    hub.attach('fast', () => {});
    hub.attach('slow', () => {});
    hub.attach('elsewhere', () => {});
    hub.started({ runId: 'r', command: 'x', workspace: '/ws', startedAt: 0 });
    hub.open('fast', 'r');
    hub.open('slow', 'r');
    const chunk = hub.deliver('r', 'abc');
    hub.ack('fast', 'r', 3);
    expect(await settled(chunk)).toBe(false);
    hub.ack('slow', 'r', 3);
    expect(await settled(chunk)).toBe(true);
  });

  it('keeps the newest output of a run for replay, bounded, and hands it to a terminal that opens later', async () => {
    const hub = new TerminalHub();
    hub.started({ runId: 'r', command: 'yes', workspace: '/ws', startedAt: 0 });
    for (let i = 0; i < 100; i++) await hub.deliver('r', `${i % 10}`.repeat(10_000));
    hub.ended('r');
    const [run] = hub.list();
    expect(run!.ended).toBe(true);
    hub.attach('late', () => {});
    const opened = hub.open('late', 'r');
    expect(opened.ended).toBe(true);
    expect(opened.replay.length).toBe(REPLAY_BYTES);
    expect(opened.replay.endsWith('9'.repeat(10_000))).toBe(true);
    expect(hub.open('late', 'unknown')).toEqual({ replay: '', ended: true });
  });

  it('ignores acknowledgements for unknown connections or runs, and never over-counts', async () => {
    const hub = new TerminalHub();
    hub.attach('c', () => {});
    hub.ack('nobody', 'r', 10);
    hub.ack('c', 'unknown', 10);
    hub.started({ runId: 'r', command: 'x', workspace: '/ws', startedAt: 0 });
    hub.open('c', 'r');
    hub.ack('c', 'r', 1000); // acks before any output count for nothing
    const chunk = hub.deliver('r', 'abc');
    expect(await settled(chunk)).toBe(false);
  });
});
