/**
 * Run one bash script in a confined pty, stream its output to the UI with flow control, and report
 * the exit and a digest of the complete output.
 *
 * ## Why the digest covers the complete output
 *
 * node-pty on Linux drops the tail of the output in many runs when the child exits during a burst:
 * once the last slave fd closes, the master read can fail with EIO (or node-pty destroys its socket
 * 200 ms after exit) while data is still queued. So the child never exits first. node-pty spawns a
 * small launcher (`/bin/sh`, outside the sandbox) that
 *
 *   1. reads a per-run 128-bit nonce from a 0600 file and deletes the file,
 *   2. runs the sandboxed command (stdin /dev/null, stdout/stderr the pty) and waits for it,
 *   3. writes an end marker `ESC ] 777 ; nome-end ; <nonce> ; <status> BEL` to the pty, and
 *   4. keeps the pty slave open (blocks reading the pty) until the supervisor kills it.
 *
 * A terminal is one FIFO queue: every byte the command (or anything it started) wrote before it
 * exited was queued before the marker, so when the marker is read, everything before it has been
 * read too, and the slave is still open, so nothing was discarded. The digest is the sha256 of
 * exactly the bytes read before the marker (the terminal's byte stream, so the line discipline's
 * `\n` → `\r\n` is included). The command cannot forge the marker: it never sees the nonce (the
 * file is gone before it starts; under bubblewrap its pid namespace hides the launcher), and the
 * exit status in the marker comes from the launcher, not the command. If the launcher dies without
 * writing the marker (killed by the timeout, by cancel, or by an unconfined command killing its
 * own process group), the result says `outputComplete: false`.
 *
 * ## Flow control
 *
 * Output for the UI is decoded as UTF-8 and batched (~5 ms, or at once past 64 KiB). Delivered
 * and pending bytes count as unacknowledged until the consumer calls `ack(Buffer.byteLength(chunk))`;
 * above 100,000 the pty is paused (the socket stops reading, the kernel queue fills, the command
 * blocks in write) and below 5,000 it resumes. Past `outputCapBytes` nothing more goes to the UI
 * and the pty is never paused again (the digest still covers every byte), so buffering stays
 * bounded by the high-water mark plus one read.
 *
 * Runtime: plain Node.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import * as pty from 'node-pty';
import { planConfinement, type SandboxMode } from './confine';
import { scrubEnv } from './env';
import { findMaskHelper } from './helper';
import { isWithin } from './paths';

export const HIGH_WATER = 100_000;
export const LOW_WATER = 5_000;
export const BATCH_MS = 5;
export const BATCH_MAX_BYTES = 64 * 1024;

export interface RunOptions {
  /** A bash script. */
  command: string;
  /** Working directory; must be inside the workspace (relative paths resolve against it). */
  cwd: string;
  workspace: string;
  /** The source environment; only its allow-listed, non-secret variables pass (see scrubEnv). */
  env: NodeJS.ProcessEnv;
  /** Names granted explicitly by policy; these pass even when they look like secrets. */
  allowEnv?: readonly string[];
  timeoutMs: number;
  /** At most this many bytes of output go to onData listeners; the digest covers everything. */
  outputCapBytes: number;
  network: boolean;
  /** Paths made unreadable inside the sandbox (tmpfs over directories, /dev/null over files). */
  hidePaths: readonly string[];
  /** See ConfineRequest.missingHidden. */
  missingHidden?: 'skip' | 'refuse';
  /** The rest of the sandbox's view (see ConfineRequest): read-only and pinned paths in the workspace, private areas, exposes. */
  readOnlyPaths?: readonly string[];
  pinnedPaths?: readonly string[];
  privateAreas?: readonly string[];
  exposePaths?: readonly string[];
  cols?: number;
  rows?: number;
  /** 'off' runs unconfined on purpose (reported as such). Default 'auto'. */
  sandbox?: SandboxMode;
  /** bubblewrap binary (default /usr/bin/bwrap). */
  bwrapPath?: string;
  /** The mask helper (default: found beside the build); null masks through bubblewrap's binds. */
  maskHelper?: string | null;
}

export interface RunResult {
  /** The command's exit status as its shell reports it (128+n when it died of signal n); null when NOME killed it. */
  exitCode: number | null;
  /** The signal NOME killed the command with (timeout, cancel), or that killed the launcher; else null. */
  signal: string | null;
  durationMs: number;
  /** sha256 (hex) of every byte the terminal produced before the command ended. */
  outputSha256: string;
  outputBytes: number;
  truncatedForUi: boolean;
  /** True when the end marker was read: the digest provably covers all the command's output. */
  outputComplete: boolean;
  confined: boolean;
  /** How it was confined, or why not. */
  confinement: string;
  timedOut: boolean;
  cancelled: boolean;
}

export interface FlowStats {
  /** Bytes read from the pty so far (all hashed). */
  outputBytes: number;
  /** Bytes passed on towards the UI (at most outputCapBytes). */
  uiBytes: number;
  /** Bytes delivered or pending and not yet acknowledged. */
  unacked: number;
  /** Bytes batched here, not yet delivered. */
  pending: number;
  paused: boolean;
}

export interface RunHandle {
  readonly pid: number;
  /** Batched output for the UI. Acknowledge each chunk with `ack(Buffer.byteLength(chunk))` once rendered. */
  onData(cb: (chunk: string) => void): () => void;
  /** Over-acknowledging is harmless (the count never goes below zero). */
  ack(bytes: number): void;
  /** Kill the whole process tree; the result reports cancelled. */
  cancel(): void;
  stats(): FlowStats;
  result: Promise<RunResult>;
}

/**
 * The launcher run by node-pty (outside any sandbox): $1 = nonce file, the rest = argv of the
 * (confined) command. See the module comment.
 */
const LAUNCHER = [
  'IFS= read -r n < "$1" || exit 125',
  'rm -f -- "$1"',
  // $2: the mask helper's list (handed over as fd 3, the file gone before anything runs), or -.
  'if [ "$2" != - ]; then exec 3< "$2" || exit 125; rm -f -- "$2"; fi',
  'shift 2',
  '"$@" < /dev/null',
  's=$?',
  'exec 3<&-',
  `printf '\\033]777;nome-end;%s;%s\\007' "$n" "$s"`,
  'read -r _ || :',
  'exit "$s"',
].join('\n');

let runDir: string | null = null;
/** A 0700 directory for this process's nonce files (and macOS per-run TMPDIRs). */
function privateDir(): string {
  if (runDir === null) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nome-sandbox-'));
    runDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return runDir;
}

/** Length of the longest proper prefix of `marker` that `data` ends with. */
function partialMarkerSuffix(data: Buffer, marker: Buffer): number {
  const start = Math.max(0, data.length - marker.length + 1);
  for (let i = start; i < data.length; i++) {
    if (data[i] === marker[0] && data.subarray(i).equals(marker.subarray(0, data.length - i))) return data.length - i;
  }
  return 0;
}

function signalName(signal: number | undefined): string | null {
  if (!signal) return null;
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === signal);
  return entry ? entry[0] : `SIG${signal}`;
}

export function runCommand(opts: RunOptions): RunHandle {
  if (typeof opts.command !== 'string') throw new TypeError('command must be a string');
  if (!(opts.timeoutMs > 0) || !Number.isFinite(opts.timeoutMs)) throw new TypeError('timeoutMs must be a positive number');
  if (!(opts.outputCapBytes >= 0) || !Number.isFinite(opts.outputCapBytes)) throw new TypeError('outputCapBytes must be a non-negative number');
  const real = (p: string, what: string) => {
    try {
      return realpathSync(p);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' || code === 'ENOTDIR' ? `the ${what} ${p} does not exist` : `the ${what} ${p} cannot be used (${code ?? (error as Error).message})`, {
        cause: error,
      });
    }
  };
  const workspace = real(opts.workspace, 'workspace');
  if (!statSync(workspace).isDirectory()) throw new Error(`workspace ${opts.workspace} is not a directory`);
  const cwd = real(path.resolve(workspace, opts.cwd), 'working directory');
  if (!isWithin(cwd, workspace)) throw new Error(`cwd ${opts.cwd} is outside the workspace ${workspace}`);
  if (!statSync(cwd).isDirectory()) throw new Error(`cwd ${opts.cwd} is not a directory`);

  const env = scrubEnv(opts.env, opts.allowEnv);
  env.TERM ??= 'xterm-256color';
  let privateTmp: string | undefined;
  if (process.platform === 'darwin' && opts.sandbox !== 'off') {
    privateTmp = mkdtempSync(path.join(privateDir(), 'tmp-'));
    env.TMPDIR = privateTmp;
  }
  const plan = planConfinement(
    {
      workspace,
      cwd,
      network: opts.network,
      hidePaths: opts.hidePaths,
      missingHidden: opts.missingHidden,
      readOnlyPaths: opts.readOnlyPaths,
      pinnedPaths: opts.pinnedPaths,
      privateAreas: opts.privateAreas,
      exposePaths: opts.exposePaths,
      command: opts.command,
      privateTmp,
    },
    { mode: opts.sandbox ?? 'auto', bwrapPath: opts.bwrapPath, maskHelper: opts.maskHelper === undefined ? findMaskHelper() : opts.maskHelper },
  );

  const nonce = randomBytes(16).toString('hex');
  const nonceFile = path.join(privateDir(), `n-${randomUUID()}`);
  writeFileSync(nonceFile, `${nonce}\n`, { mode: 0o600 });
  const maskFile = plan.maskSpec ? path.join(privateDir(), `m-${randomUUID()}`) : '-';
  if (plan.maskSpec) writeFileSync(maskFile, plan.maskSpec, { mode: 0o600 });
  const marker = Buffer.from(`\x1b]777;nome-end;${nonce};`, 'latin1');

  const started = performance.now();
  let term: pty.IPty;
  try {
    term = pty.spawn('/bin/sh', ['-c', LAUNCHER, 'nome-run', nonceFile, maskFile, ...plan.argv], {
      name: env.TERM,
      cols: opts.cols ?? 120,
      rows: opts.rows ?? 30,
      cwd,
      env,
      encoding: null,
    });
  } catch (error) {
    rmSync(nonceFile, { force: true });
    if (maskFile !== '-') rmSync(maskFile, { force: true });
    throw error;
  }

  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const listeners = new Set<(chunk: string) => void>();
  let carry: Buffer = Buffer.alloc(0);
  let outputBytes = 0;
  let uiBytes = 0;
  let truncated = false;
  let pending: string[] = [];
  let pendingBytes = 0;
  let unacked = 0;
  let paused = false;
  let batchTimer: NodeJS.Timeout | null = null;
  let ended = false; // no more output is consumed
  let endStatus: number | null = null;
  let durationMs = 0;
  let timedOut = false;
  let cancelled = false;
  let killed = false;

  const flush = () => {
    if (batchTimer) {
      clearTimeout(batchTimer);
      batchTimer = null;
    }
    // Bytes of a split UTF-8 sequence with no text yet ride along with the next text.
    if (pending.length === 0 || listeners.size === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    pendingBytes = 0;
    for (const listener of listeners) {
      try {
        listener(chunk);
      } catch {
        // a UI listener's failure never disturbs the run
      }
    }
  };

  let exited = false;
  const setPaused = (value: boolean) => {
    if (value === paused || exited) return;
    paused = value;
    if (value) term.pause();
    else term.resume();
  };

  /** `bytes` = the raw bytes that decoded to `text` (a split UTF-8 sequence counts where it began). */
  const enqueue = (text: string, bytes: number) => {
    if (bytes === 0 && text.length === 0) return;
    if (text.length > 0) pending.push(text);
    pendingBytes += bytes;
    unacked += bytes;
    if (pendingBytes >= BATCH_MAX_BYTES) flush();
    else batchTimer ??= setTimeout(flush, BATCH_MS);
    if (!truncated && unacked > HIGH_WATER) setPaused(true);
  };

  const consume = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    hash.update(bytes);
    outputBytes += bytes.length;
    if (truncated) return;
    const take = Math.min(bytes.length, opts.outputCapBytes - uiBytes);
    if (take > 0) {
      uiBytes += take;
      enqueue(decoder.write(take === bytes.length ? bytes : bytes.subarray(0, take)), take);
    }
    if (take < bytes.length) {
      truncated = true;
      enqueue(decoder.end(), 0);
      // Nothing more reaches the UI, so there is nothing left to hold back for it.
      setPaused(false);
    }
  };

  const killTree = () => {
    if (killed) return;
    killed = true;
    try {
      process.kill(-term.pid, 'SIGKILL'); // the launcher's session = its process group (and bwrap's)
    } catch {
      try {
        term.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  const onMarker = (status: number) => {
    ended = true;
    endStatus = status;
    durationMs = performance.now() - started;
    clearTimeout(timeout);
    killTree(); // releases the launcher and anything the command left running
  };

  term.onData((data: string | Buffer) => {
    if (ended) return;
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    carry = Buffer.alloc(0);
    const at = buf.indexOf(marker);
    if (at >= 0) {
      const bel = buf.indexOf(0x07, at + marker.length);
      consume(buf.subarray(0, at));
      if (bel < 0) {
        carry = Buffer.from(buf.subarray(at));
        return;
      }
      const status = Number.parseInt(buf.toString('latin1', at + marker.length, bel), 10);
      onMarker(Number.isFinite(status) ? status : -1);
      return;
    }
    const keep = partialMarkerSuffix(buf, marker);
    consume(keep === 0 ? buf : buf.subarray(0, buf.length - keep));
    if (keep > 0) carry = Buffer.from(buf.subarray(buf.length - keep));
  });

  const timeout = setTimeout(() => {
    if (ended) return;
    timedOut = true;
    killTree();
  }, opts.timeoutMs);

  const result = new Promise<RunResult>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      clearTimeout(timeout);
      exited = true;
      const complete = ended;
      if (!ended) {
        ended = true;
        consume(carry); // a partial marker prefix that never completed is output
        durationMs = performance.now() - started;
      }
      if (!truncated) enqueue(decoder.end(), 0);
      flush();
      listeners.clear();
      rmSync(nonceFile, { force: true });
      if (maskFile !== '-') rmSync(maskFile, { force: true });
      if (privateTmp) rmSync(privateTmp, { recursive: true, force: true });
      let code: number | null = null;
      let sig: string | null = null;
      if (complete) code = endStatus;
      else if (timedOut || cancelled) sig = 'SIGKILL';
      else if (signal) sig = signalName(signal);
      else code = exitCode;
      resolve({
        exitCode: code,
        signal: sig,
        durationMs,
        outputSha256: hash.digest('hex'),
        outputBytes,
        truncatedForUi: truncated,
        outputComplete: complete,
        confined: plan.confined,
        confinement: plan.confinement,
        timedOut,
        cancelled,
      });
    });
  });

  return {
    pid: term.pid,
    onData(cb) {
      listeners.add(cb);
      if (pending.length > 0) batchTimer ??= setTimeout(flush, 0);
      return () => listeners.delete(cb);
    },
    ack(bytes) {
      if (!(bytes > 0)) return;
      unacked = Math.max(0, unacked - bytes);
      if (paused && unacked <= LOW_WATER) setPaused(false);
    },
    cancel() {
      if (ended) return;
      cancelled = true;
      killTree();
    },
    stats() {
      return { outputBytes, uiBytes, unacked, pending: pendingBytes, paused };
    },
    result,
  };
}
