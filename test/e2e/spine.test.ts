/**
 * The supervisor in the UI, in real Chromium against a real `nome serve`: an agent's dangerous
 * command blocks, the approval dialog shows why, a click approves it, the command runs, and the
 * timeline shows the receipts. And the Permissions screen explains `.env`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium } from './support';
import { makeSandbox, nome, startServer, type Sandbox, type Server } from '../support/nome';

let box: Sandbox;
let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  box = makeSandbox();
  mkdirSync(path.join(box.workspace, 'build'));
  writeFileSync(path.join(box.workspace, 'build', 'out.o'), 'x');
  writeFileSync(path.join(box.workspace, '.env'), 'SECRET=1\n');
  writeFileSync(path.join(box.workspace, 'README.md'), '# hi\n');
  server = await startServer(box);
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  await page.getByTestId('connection').filter({ hasText: /^Connected$/ }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('approvals in the UI', () => {
  it('blocks `nome exec -- rm -rf build` until "Approve once" is clicked, then runs it', async () => {
    const exec = nome(box, ['exec', '--', 'rm -rf build']);
    const dialog = page.getByRole('dialog', { name: /Approve this shell command/ });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByLabel('Command').textContent()).toBe('rm -rf build');
    expect(await dialog.locator('mark.tier-danger').count()).toBeGreaterThan(0);
    expect(await dialog.getByText(box.workspace).count()).toBeGreaterThan(0);
    const approve = dialog.getByRole('button', { name: 'Approve once' });
    expect(await approve.isDisabled()).toBe(true); // armed only after a delay
    expect(await axeViolations(page)).toEqual([]);
    await approve.click(); // Playwright waits for the button to arm
    const result = await exec;
    expect(result.code, result.stderr).toBe(0);
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('shows the approval and the exit in the timeline', async () => {
    await page.getByRole('link', { name: 'Timeline' }).click();
    await expect.poll(() => page.locator('tr[data-kind="approval.answered"]').count()).toBeGreaterThan(0);
    expect(await page.locator('tr[data-kind="approval.answered"]').first().textContent()).toContain('approve-once');
    expect(await page.locator('tr[data-kind="command.exit"]').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('chain-status').textContent()).toMatch(/^intact/);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows the run in Sessions with its terminal', async () => {
    const res = await nome(box, ['exec', '--', 'echo from-the-agent']);
    expect(res.code).toBe(0);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('button', { name: /echo from-the-agent/ }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Output of echo from-the-agent' }).locator('.xterm-accessibility-tree').textContent()).toContain('from-the-agent');
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('output flow (issue 11): no screen choice can stall a command', () => {
  const expected = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('');

  it('a flood to a run no renderer shows completes byte-exact while the window is on another screen', async () => {
    await page.getByRole('link', { name: 'Timeline' }).click();
    const res = await nome(box, ['exec', '--timeout', '60', '--', 'seq 1 200000']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.replace(/\r\n/g, '\n') === expected).toBe(true);
    // The UI is still answering.
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected');
  }, 90_000);

  it('two runs at once, one shown in Sessions: both complete, and the shown one replays what it missed', async () => {
    await page.getByRole('link', { name: 'Sessions' }).click();
    const shown = nome(box, ['exec', '--timeout', '60', '--', 'sleep 1; seq 1 200000 | tail -n 3; echo shown-done']);
    await page.getByRole('button', { name: /shown-done/ }).click();
    const hidden = await nome(box, ['exec', '--timeout', '60', '--', 'seq 1 200000']);
    expect(hidden.code, hidden.stderr).toBe(0);
    expect(hidden.stdout.replace(/\r\n/g, '\n') === expected).toBe(true);
    const res = await shown;
    expect(res.code, res.stderr).toBe(0);
    await expect
      .poll(() => page.getByRole('region', { name: /Output of sleep 1; seq/ }).locator('.xterm-accessibility-tree').textContent())
      .toContain('shown-done');
    // Opening the flooded run later shows the newest part of its output, from the replay.
    await page.getByRole('button', { name: /^seq 1 200000/ }).first().click();
    await expect.poll(() => page.getByRole('region', { name: 'Output of seq 1 200000' }).locator('.xterm-accessibility-tree').textContent()).toContain('200000');
  }, 120_000);
});

describe('Permissions screen', () => {
  it('shows .env as no access with the built-in rule as the winner', async () => {
    await page.getByRole('link', { name: 'Permissions' }).click();
    const tree = page.getByRole('tree', { name: 'Workspace files' });
    const env = tree.getByRole('treeitem').filter({ hasText: '.env' }).first();
    expect(await env.textContent()).toContain('no access');
    await env.getByRole('button').click();
    const winner = page.locator('tr[data-winner="true"]');
    await expect.poll(() => winner.count()).toBe(1);
    expect(await winner.textContent()).toContain('built-in');
    expect(await winner.textContent()).toContain('.env');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('updates live when a layer file changes', async () => {
    const readme = page.getByRole('tree', { name: 'Workspace files' }).getByRole('treeitem').filter({ hasText: 'README.md' }).first();
    expect(await readme.textContent()).toContain('read/write');
    mkdirSync(path.join(box.workspace, '.nome'), { recursive: true });
    writeFileSync(path.join(box.workspace, '.nome', 'permissions.json'), JSON.stringify({ rules: [{ pattern: 'README.md', level: 'readOnly' }] }));
    await expect.poll(() => readme.textContent()).toContain('read only');
  });
});
