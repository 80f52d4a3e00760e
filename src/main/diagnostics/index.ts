/**
 * The main process's diagnostic log: what failed inside NOME where nobody would otherwise see it (an
 * event that did not fit the contract, a listener that threw), so that it can be fixed. A file in
 * the data dir (`logs/main.N.log`, JSON lines by pino, rolled by pino-roll at 5 MB, 5 files kept).
 *
 * It is not the audit trail and not telemetry: it holds NOME's own words and ids, never command
 * text, paths the agent named, output or secrets. Callers pass a closed event name and NOME's own
 * message (an error's message is cut to 500 characters).
 *
 * Runtime: plain Node.
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import roll from 'pino-roll';

export type DiagnosticEvent = 'event.invalid' | 'event.send_failed' | 'listener.failed' | 'receipt.listener_failed';

export interface Diagnostics {
  warn(event: DiagnosticEvent, message: string, fields?: Record<string, string | number | boolean | null>): void;
  close(): Promise<void>;
}

/** The log's directory inside the data dir. */
export const logDir = (dataDir: string) => path.join(dataDir, 'logs');

const cut = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

export async function createDiagnostics(options: { dataDir: string; sizeLimit?: string; files?: number }): Promise<Diagnostics> {
  const stream = await roll({ file: path.join(logDir(options.dataDir), 'main.log'), size: options.sizeLimit ?? '5m', limit: { count: options.files ?? 5 }, mkdir: true });
  const logger: Logger = pino({ base: { pid: process.pid } }, stream);
  return {
    warn(event, message, fields = {}) {
      try {
        logger.warn({ ...fields, event }, cut(message));
      } catch {
        // The log is the last resort: its own failure has nowhere to go.
      }
    },
    // end() waits for the file to be open, flushes, and closes it.
    close: () =>
      new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      }),
  };
}

/** For code paths with no data dir (tests, one-off CLI runs): says the same on stderr. */
export const stderrDiagnostics: Diagnostics = {
  warn(event, message) {
    process.stderr.write(`nome: ${event}: ${cut(message)}\n`);
  },
  close: async () => {},
};
