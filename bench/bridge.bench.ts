/** Contract dispatch overhead: a validated `ping` through dispatch vs calling the handler directly. */
import { dispatch } from '../src/main/host/dispatch';
import { createServices } from '../src/main/host/services';
import { fmtMs, timeMs, type BenchRow } from './harness';

export default async function bench(): Promise<BenchRow[]> {
  const services = createServices({ host: 'serve', workspace: null, versions: { node: process.versions.node, electron: null, chrome: null } });
  const n = 100_000;
  const raw = await timeMs(async () => {
    for (let i = 0; i < n; i++) await services.handlers.ping({ nonce: 'x' }, { connectionId: 'bench' });
  });
  const nome = await timeMs(async () => {
    for (let i = 0; i < n; i++) await dispatch(services.handlers, 'ping', { nonce: 'x' }, { connectionId: 'bench' });
  });
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
