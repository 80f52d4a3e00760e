/**
 * `nome exec [--workspace DIR] [--gateway ADDR] -- <command>`: send a command through the gateway,
 * stream its output, wait for approval when asked, and exit with the command's exit code.
 * A deny prints the reason and exits 126 (also for `timeout`); an unreachable gateway exits 2.
 *
 * Runtime: plain Node.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { GatewayUnreachable } from '../../main/gateway/client';
import { connectForCli, EXIT_UNREACHABLE } from '../gateway';
import type { GatewayNotification, RunOutcome } from '../../shared/gateway';
import { printable } from '../printable';
import { parse, UsageError } from '../usage';

export const EXIT_DENIED = 126;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    workspace: { type: 'string' },
    gateway: { type: 'string' },
    cwd: { type: 'string' },
    agent: { type: 'string' },
    session: { type: 'string' },
    timeout: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('usage: nome exec [--workspace DIR] -- <command>');
  const command = positionals.join(' ');
  const workspace = path.resolve(values.workspace ?? process.cwd());
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError('--timeout takes seconds, > 0');

  const client = await connectForCli('exec', values.gateway);
  if (typeof client === 'number') return client;
  try {
    const outcome = await client.call<RunOutcome>(
      'exec',
      {
        command,
        workspace,
        cwd: values.cwd ?? null,
        agent: values.agent ?? process.env.NOME_AGENT ?? null,
        sessionId: values.session ?? process.env.NOME_SESSION ?? randomUUID(),
        timeoutMs: timeoutMs ?? null,
      },
      (method, params) => {
        if (method === 'exec.output') process.stdout.write((params as GatewayNotification<'exec.output'>).data);
        else if (method === 'exec.approval') process.stderr.write(`nome: waiting for approval (${printable((params as GatewayNotification<'exec.approval'>).approvalId)})…\n`);
      },
    );
    if (outcome.verdict === 'deny') {
      process.stderr.write(`nome: denied: ${printable(outcome.reason ?? 'no reason given')}\n`);
      return EXIT_DENIED;
    }
    if (outcome.exitCode !== null) return outcome.exitCode;
    return 128 + (signalNumber(outcome.signal) ?? 1);
  } catch (error) {
    if (error instanceof GatewayUnreachable) {
      process.stderr.write(`nome exec: ${printable(error.message)}\n`);
      return EXIT_UNREACHABLE;
    }
    throw error;
  } finally {
    client.close();
  }
}

function signalNumber(signal: string | null): number | null {
  if (!signal) return null;
  const n = Number(signal);
  if (Number.isInteger(n)) return n;
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? null;
}
