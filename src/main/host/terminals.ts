/**
 * Run output to the renderers, with flow control by subscription. A renderer receives a run's
 * output only after it opens that run (`open`, when its terminal for the run is mounted) and until
 * it closes it; it acknowledges the bytes it has written to its terminal (after xterm's write
 * callback). `deliver` resolves when every renderer subscribed to that run has acknowledged a
 * chunk, and the supervisor acknowledges the pty only then, so a slow or frozen terminal pauses the
 * command (the sandbox's high/low water marks) instead of growing memory. A renderer that shows
 * another screen, or another run, holds nothing back: what it missed is in the replay it gets when
 * it opens the run. Closing or disconnecting releases everything held.
 *
 * The hub keeps the newest part of each recent run's output (the replay), bounded per run.
 *
 * Runtime: plain Node.
 */
import type { RunView } from '../../shared/contract';

export const REPLAY_BYTES = 256 * 1024;
const RECENT_RUNS = 50;

interface Stream {
  sent: number;
  acked: number;
  waiters: { upTo: number; resolve: () => void }[];
}

interface Connection {
  send(event: 'runStarted' | 'runOutput' | 'runEnded', payload: unknown): void;
  /** The runs this renderer has open, by run id. */
  streams: Map<string, Stream>;
}

interface Run {
  view: RunView;
  replay: string;
}

const release = (stream: Stream | undefined) => {
  for (const w of stream?.waiters ?? []) w.resolve();
};

export class TerminalHub {
  private readonly connections = new Map<string, Connection>();
  private readonly runs = new Map<string, Run>();

  attach(connectionId: string, send: Connection['send']): () => void {
    this.connections.set(connectionId, { send, streams: new Map() });
    return () => this.detach(connectionId);
  }

  detach(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    this.connections.delete(connectionId);
    for (const stream of connection?.streams.values() ?? []) release(stream);
  }

  started(run: Omit<RunView, 'ended'>): void {
    const view: RunView = { ...run, ended: false };
    this.runs.set(run.runId, { view, replay: '' });
    while (this.runs.size > RECENT_RUNS) this.runs.delete(this.runs.keys().next().value as string);
    for (const c of this.connections.values()) c.send('runStarted', view);
  }

  /**
   * A renderer opens a run's terminal: from now on it receives (and must acknowledge) that run's
   * output. Returns what it missed so far, the newest part when it was long.
   */
  open(connectionId: string, runId: string): { replay: string; ended: boolean } {
    const run = this.runs.get(runId);
    const connection = this.connections.get(connectionId);
    if (connection && run && !run.view.ended && !connection.streams.has(runId)) connection.streams.set(runId, { sent: 0, acked: 0, waiters: [] });
    return { replay: run?.replay ?? '', ended: run?.view.ended ?? true };
  }

  /** The renderer closed the run's terminal: nothing of it is held for that renderer any more. */
  close(connectionId: string, runId: string): void {
    const connection = this.connections.get(connectionId);
    release(connection?.streams.get(runId));
    connection?.streams.delete(runId);
  }

  /** Sends a chunk to every renderer that has the run open; resolves when each has acknowledged it. */
  deliver(runId: string, data: string): Promise<void> {
    const run = this.runs.get(runId);
    if (run) {
      run.replay += data;
      if (run.replay.length > REPLAY_BYTES) run.replay = run.replay.slice(run.replay.length - REPLAY_BYTES);
    }
    const bytes = Buffer.byteLength(data);
    const pending: Promise<void>[] = [];
    for (const connection of this.connections.values()) {
      const stream = connection.streams.get(runId);
      if (!stream) continue;
      stream.sent += bytes;
      const upTo = stream.sent;
      pending.push(new Promise<void>((resolve) => stream.waiters.push({ upTo, resolve })));
      connection.send('runOutput', { runId, data });
    }
    return Promise.all(pending).then(() => undefined);
  }

  ack(connectionId: string, runId: string, bytes: number): void {
    const stream = this.connections.get(connectionId)?.streams.get(runId);
    if (!stream) return;
    stream.acked = Math.min(stream.sent, stream.acked + bytes);
    const still: Stream['waiters'] = [];
    for (const w of stream.waiters) (w.upTo <= stream.acked ? w.resolve : () => still.push(w))();
    stream.waiters = still;
  }

  ended(runId: string): void {
    const run = this.runs.get(runId);
    if (run) run.view.ended = true;
    for (const c of this.connections.values()) {
      release(c.streams.get(runId));
      c.streams.delete(runId);
      c.send('runEnded', { runId });
    }
  }

  list(): RunView[] {
    return [...this.runs.values()].map((r) => r.view);
  }
}
