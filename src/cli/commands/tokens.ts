/**
 * `nome tokens issue NAME --workspace DIR [--workspace DIR …] [--json]`, `nome tokens list [--json]`,
 * `nome tokens revoke ID`: agent tokens for the gateway, through the approver token. An issued
 * token is printed once (only its hash is kept) and acts only for the workspaces it names.
 *
 * Runtime: plain Node.
 */
import type { GatewayResult } from '../../shared/gateway';
import { connectForCli } from '../gateway';
import { printable } from '../printable';
import { parse, UsageError } from '../usage';

const USAGE = 'usage: nome tokens issue NAME --workspace DIR [--workspace DIR …] [--json] | nome tokens list [--json] | nome tokens revoke ID';


export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, workspace: { type: 'string', multiple: true }, gateway: { type: 'string' } });
  const [sub, ...rest] = positionals;
  if (sub !== 'issue' && sub !== 'list' && sub !== 'revoke') throw new UsageError(USAGE);
  if (sub === 'issue' && (rest.length !== 1 || !values.workspace?.length)) throw new UsageError(USAGE);
  if (sub === 'revoke' && rest.length !== 1) throw new UsageError(USAGE);
  const client = await connectForCli('tokens', values.gateway, 'approver');
  if (typeof client === 'number') return client;
  try {
    if (sub === 'issue') {
      const workspaces = (values.workspace ?? []).map((w) => (w.startsWith('/') ? w : `${process.cwd()}/${w}`));
      const issued = await client.call<GatewayResult<'tokens.issue'>>('tokens.issue', { name: rest[0], workspaces });
      if (values.json) process.stdout.write(`${JSON.stringify(issued)}\n`);
      else process.stdout.write(`${issued.token}\n(shown once; id ${issued.id}; acts for ${issued.workspaces.map((s) => printable(s)).join(', ')}; give it to the agent as NOME_TOKEN)\n`);
      return 0;
    }
    if (sub === 'list') {
      const { tokens } = await client.call<GatewayResult<'tokens.list'>>('tokens.list', {});
      if (values.json) process.stdout.write(`${JSON.stringify(tokens)}\n`);
      else for (const t of tokens) process.stdout.write(`${t.id}  ${t.scope.padEnd(8)} ${printable(t.name)}  ${t.workspaces.map((s) => printable(s)).join(', ') || '-'}\n`);
      return 0;
    }
    const { revoked } = await client.call<GatewayResult<'tokens.revoke'>>('tokens.revoke', { id: rest[0] });
    process.stdout.write(revoked ? `revoked ${printable(rest[0]!)}\n` : `no token ${printable(rest[0]!)}\n`);
    return revoked ? 0 : 1;
  } catch (error) {
    process.stderr.write(`nome tokens: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  } finally {
    client.close();
  }
}
