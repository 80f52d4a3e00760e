/**
 * Run output to the renderers, with flow control. Each renderer connection acknowledges the bytes
 * it has written to its terminal (after xterm's write callback); `deliver` resolves only when every
 * connected renderer has acknowledged a chunk, and the supervisor acknowledges the pty only then,
 * so a slow or frozen renderer pauses the command (the sandbox's high/low water marks) instead of
 * growing memory. A renderer that disconnects releases everything it held.
 *
 * The hub also keeps the newest part of each recent run's output, so a renderer that opens the
 * Sessions screen later can replay it.
 *
 * Runtime: plain Node.
 */
import type { RunView } from '../../shared/contract';

const REPLAY_BYTES = 256 * 1024;
const RECENT_RUNS = 50;

interface Stream {
  sent: number;
  acked: number;
  waiters: { upTo: number; resolve: () => void }[];
}

interface Connection {
  send(event: 'runStarted' | 'runOutput' | 'runEnded', payload: unknown): void;
  streams: Map<string, Stream>;
}

export class TerminalHub {
  private readonly connections = new Map<string, Connection>();
  private readonly runs = new Map<string, RunView>();

  attach(connectionId: string, send: Connection['send']): () => void {
    this.connections.set(connectionId, { send, streams: new Map() });
    return () => this.detach(connectionId);
  }

  detach(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    this.connections.delete(connectionId);
    for (const stream of connection?.streams.values() ?? []) for (const w of stream.waiters) w.resolve();
  }

  started(run: Omit<RunView, 'ended' | 'replay'>): void {
    const view: RunView = { ...run, ended: false, replay: '' };
    this.runs.set(run.runId, view);
    while (this.runs.size > RECENT_RUNS) this.runs.delete(this.runs.keys().next().value as string);
    for (const c of this.connections.values()) c.send('runStarted', view);
  }

  /** Sends a chunk to every renderer; resolves when each has acknowledged it. */
  deliver(runId: string, data: string): Promise<void> {
    const view = this.runs.get(runId);
    if (view) {
      view.replay += data;
      if (view.replay.length > REPLAY_BYTES) view.replay = view.replay.slice(view.replay.length - REPLAY_BYTES);
    }
    const bytes = Buffer.byteLength(data);
    const pending: Promise<void>[] = [];
    for (const connection of this.connections.values()) {
      let stream = connection.streams.get(runId);
      if (!stream) connection.streams.set(runId, (stream = { sent: 0, acked: 0, waiters: [] }));
      stream.sent += bytes;
      const upTo = stream.sent;
      const s = stream;
      pending.push(new Promise<void>((resolve) => s.waiters.push({ upTo, resolve })));
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
    const view = this.runs.get(runId);
    if (view) view.ended = true;
    for (const c of this.connections.values()) {
      for (const w of c.streams.get(runId)?.waiters ?? []) w.resolve();
      c.streams.delete(runId);
      c.send('runEnded', { runId });
    }
  }

  list(): RunView[] {
    return [...this.runs.values()];
  }
}
