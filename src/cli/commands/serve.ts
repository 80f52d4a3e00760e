/** `nome serve [--workspace DIR] [--port N]`: the headless host. Runtime: plain Node. */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { createServices } from '../../main/host/services';
import { startHeadlessHost } from '../../main/host/serve';
import { dataDir, rendererDir } from '../../main/host/paths';
import { parse, UsageError } from '../usage';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { workspace: { type: 'string' }, port: { type: 'string' }, 'approval-timeout': { type: 'string' } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
  const approvalTimeout = values['approval-timeout'] ?? process.env.NOME_APPROVAL_TIMEOUT;
  const approvalTimeoutMs = approvalTimeout === undefined ? undefined : Number(approvalTimeout) * 1000;
  if (approvalTimeoutMs !== undefined && !(approvalTimeoutMs > 0)) throw new UsageError('--approval-timeout takes seconds, > 0');
  const workspace = values.workspace === undefined ? null : path.resolve(values.workspace);
  if (workspace !== null && !existsSync(workspace)) throw new UsageError(`workspace ${workspace} does not exist`);
  const dir = rendererDir();
  if (!existsSync(path.join(dir, 'index.html'))) throw new Error(`the renderer is not built (${dir}); run \`npm run build\``);

  const services = await createServices({
    host: 'serve',
    workspace,
    dataDir: dataDir(),
    approvalTimeoutMs,
    versions: { node: process.versions.node, electron: null, chrome: null },
  });
  const host = await startHeadlessHost({ services, rendererDir: dir, port });
  process.stdout.write(`NOME is serving on ${host.url}\n`);
  process.stdout.write(`gateway: ${services.gateway.address}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await services.close();
  return 0;
}
