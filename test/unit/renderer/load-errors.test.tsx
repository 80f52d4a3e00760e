// @vitest-environment happy-dom
/** Nothing fails silently (issue 11): a list the main process fails to answer is shown as an error, not as an empty screen. */
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import type { NomeApi } from '../../../src/shared/contract';
import { ApiContext } from '../../../src/renderer/src/nome';
import { ApprovalsScreen } from '../../../src/renderer/src/approvals';
import { TimelineScreen } from '../../../src/renderer/src/timeline';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const failing = {
  approvalsList: async () => {
    throw new Error('[internal] the main process produced an invalid response \u001b[2J');
  },
  receiptsList: async () => {
    throw new Error('[internal] the audit store is closed');
  },
  auditVerify: async () => ({ ok: true, count: 0 }),
  on: { approvalsChanged: () => () => {}, receiptAppended: () => () => {} },
} as unknown as NomeApi;

async function render(node: React.ReactNode): Promise<HTMLElement> {
  const el = document.createElement('div');
  document.body.append(el);
  await act(async () => createRoot(el).render(<ApiContext.Provider value={failing}>{node}</ApiContext.Provider>));
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
  return el;
}

describe('load errors are shown', () => {
  it('the Approvals screen says the list could not be loaded, and why (escaped)', async () => {
    const el = await render(<ApprovalsScreen />);
    const alert = el.querySelector('[role="alert"]');
    expect(alert?.textContent).toBe('NOME could not load the approvals: [internal] the main process produced an invalid response \\e[2J');
  });
  it('the Timeline says the receipts could not be loaded', async () => {
    const el = await render(<TimelineScreen />);
    expect(el.querySelector('[role="alert"]')?.textContent).toBe('NOME could not load the receipts: [internal] the audit store is closed');
  });
});
