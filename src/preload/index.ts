/**
 * The preload: `window.nome`, one function per invoke in the contract and one subscription per
 * event. No generic invoke, no raw ipcRenderer reaches the page.
 *
 * Runtime: Electron sandboxed preload, bundled as CommonJS.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  eventChannel,
  eventNames,
  invokeChannel,
  invokeNames,
  reportChannel,
  type Envelope,
  type NomeApi,
} from '../shared/contract';

function unwrap(envelope: Envelope<unknown>): unknown {
  if (envelope.ok) return envelope.value;
  throw new Error(`[${envelope.error.code}] ${envelope.error.message}`);
}

const api: Record<string, unknown> = {};
for (const name of invokeNames) {
  const channel = invokeChannel(name);
  api[name] = async (request: unknown) => unwrap((await ipcRenderer.invoke(channel, request)) as Envelope<unknown>);
}
const on: Record<string, unknown> = {};
for (const name of eventNames) {
  const channel = eventChannel(name);
  on[name] = (listener: (payload: unknown) => void) => {
    const forward = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => void ipcRenderer.removeListener(channel, forward);
  };
}
api.on = on;

contextBridge.exposeInMainWorld('nome', api as NomeApi);

// For main's self-check: what this renderer really is. A sandboxed renderer has no Node
// integration, whatever the preferences say, so these two facts cover it.
ipcRenderer.send(reportChannel('hardening'), {
  sandboxed: process.sandboxed === true,
  contextIsolated: process.contextIsolated === true,
});
