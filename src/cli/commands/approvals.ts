/**
 * `nome approvals list [--json]` and `nome approvals answer ID approve-once|approve-session|always|deny
 * [--reason TEXT]`: the live approval queue, through the gateway. `always` is refused where it is
 * not offered (interpreters, wrappers, dynamic commands).
 *
 * Runtime: plain Node.
 */
import { connectForCli } from '../gateway';
import type { GatewayResult } from '../../shared/gateway';
import { printable, printableJson } from '../printable';
import { parse, UsageError } from '../usage';

const ANSWERS = ['approve-once', 'approve-session', 'always', 'deny'] as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, reason: { type: 'string' }, gateway: { type: 'string' } });
  const [sub, ...rest] = positionals;
  const client = await connectForCli('approvals', values.gateway, 'approver');
  if (typeof client === 'number') return client;
  try {
    if (sub === 'list') {
      const { pending } = await client.call<GatewayResult<'approvals.list'>>('approvals.list', {});
      if (values.json) process.stdout.write(`${printableJson(pending)}\n`);
      else if (pending.length === 0) process.stdout.write('no approvals waiting\n');
      else for (const a of pending) process.stdout.write(`${printable(a.id)}  ${printable(a.tool)}  ${printable(a.subject)}\n`);
      return 0;
    }
    if (sub === 'answer') {
      const [id, answer] = rest;
      if (!id || !answer || !(ANSWERS as readonly string[]).includes(answer)) {
        throw new UsageError(`usage: nome approvals answer ID ${ANSWERS.join('|')} [--reason TEXT]`);
      }
      const outcome = await client.call<GatewayResult<'approvals.answer'>>('approvals.answer', { id, answer, reason: values.reason ?? null });
      if (values.json) process.stdout.write(`${printableJson(outcome)}\n`);
      else process.stdout.write(`${answer}: ${printable(id)}\n`);
      return 0;
    }
    throw new UsageError(`usage: nome approvals list [--json] | nome approvals answer ID ${ANSWERS.join('|')} [--reason TEXT]`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    process.stderr.write(`nome approvals: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  } finally {
    client.close();
  }
}
