/** Contract dispatch overhead: a validated `ping` through dispatch vs calling the handler directly. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dispatch } from '../src/main/host/dispatch';
import { createServices } from '../src/main/host/services';
import { fmtMs, timeMs, type BenchRow } from './harness';

export default async function bench(): Promise<BenchRow[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nome-bench-bridge-'));
  const services = await createServices({
    host: 'serve',
    workspace: null,
    dataDir: root,
    versions: { node: process.versions.node, electron: null, chrome: null },
    env: { HOME: root, PATH: process.env.PATH, NOME_MANAGED_POLICY: path.join(root, 'managed.json') },
  });
  const n = 100_000;
  const raw = await timeMs(async () => {
    for (let i = 0; i < n; i++) await services.handlers.ping({ nonce: 'x' }, { connectionId: 'bench' });
  });
  const nome = await timeMs(async () => {
    for (let i = 0; i < n; i++) await dispatch(services.handlers, 'ping', { nonce: 'x' }, { connectionId: 'bench' });
  });
  await services.close();
  return [
    {
      figure: `IPC dispatch, ${n / 1000}k pings (validated vs bare handler)`,
      nome: fmtMs(nome),
      baseline: fmtMs(raw),
      ratio: nome / raw,
      note: 'zod request+response validation cost',
    },
  ];
}
