/**
 * How CLI commands reach the gateway: discovery (`--gateway`, `$NOME_GATEWAY`, the data dir),
 * the client's token, and one clear line plus exit 2 when nothing answers.
 *
 * Runtime: plain Node. Kept light: it is loaded on every `nome exec`.
 */
import { dataDir } from '../main/host/paths';
import { clientToken, connectGateway, GatewayUnreachable, type GatewayClient } from '../main/gateway/client';
import { gatewayAddress } from '../main/gateway/protocol';

export const EXIT_UNREACHABLE = 2;

/** The connected client, or the exit code after saying why there is none. */
export async function connectForCli(command: string, override: string | undefined, role: 'agent' | 'approver' = 'agent'): Promise<GatewayClient | number> {
  const dir = dataDir();
  try {
    return await connectGateway(gatewayAddress(dir, override), clientToken(dir, process.env, role));
  } catch (error) {
    if (error instanceof GatewayUnreachable) {
      process.stderr.write(`nome ${command}: ${error.message}\n`);
      return EXIT_UNREACHABLE;
    }
    throw error;
  }
}
