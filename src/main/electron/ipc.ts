/**
 * ipcMain wiring: every handler checks its sender (the app's own top-level frame) and then goes
 * through the contract dispatch, which validates the payload before the service runs.
 *
 * Runtime: Electron main. Only type imports from electron, so this is testable without the binary.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { invokeChannel, invokeNames } from '../../shared/contract';
import { dispatch, fail, type Handlers } from '../host/dispatch';
import { APP_HOST, APP_SCHEME } from './hardening';

/** Why a sender is refused, or null when it is the app's own top-level frame in the main window. */
export function senderProblem(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, mainWindowId: number): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (event.sender.id !== mainWindowId) return 'the sender is not the main window';
  if (frame !== event.sender.mainFrame || frame.parent !== null) return 'the sender is not the top-level frame';
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return 'the sender has no valid URL';
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return `the sender ${url.protocol}//${url.host} is not the app`;
  return null;
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, mainWindowId: () => number): void {
  for (const name of invokeNames) {
    ipcMain.handle(invokeChannel(name), async (event, ...args: unknown[]) => {
      const problem = senderProblem(event, mainWindowId());
      if (problem) return fail('forbidden', `${name}: refused, ${problem}`);
      if (args.length !== 1) return fail('bad-request', `${name}: expects exactly one argument, got ${args.length}`);
      return dispatch(handlers, name, args[0], { connectionId: `webContents:${event.sender.id}` });
    });
  }
}
