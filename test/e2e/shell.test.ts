/** The renderer shell in real Chromium against a real `nome serve`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium } from './support';
import { makeSandbox, startServer, type Server } from '../support/nome';

let served: Server;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  served = await startServer(makeSandbox());
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(served.url);
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('renderer shell over nome serve', () => {
  it('drops the token from the address bar and connects to the main process', async () => {
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected');
  });

  it('round-trips ping and version through the contract', async () => {
    await expect.poll(() => page.getByTestId('ping').textContent()).toMatch(/^ping \d+\.\d ms$/);
    expect(await page.getByTestId('version').textContent()).toMatch(/^NOME \d+\.\d+\.\d+ · headless · Node 22\./);
  });

  it.each(['Sessions', 'Approvals', 'Permissions', 'Timeline', 'Evidence', 'Settings'])(
    'navigates to %s, and axe finds no violations there',
    async (title) => {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: title }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      expect(await page.getByRole('link', { name: title }).getAttribute('aria-current')).toBe('page');
      expect(await axeViolations(page)).toEqual([]);
    },
  );

  it('ran without console errors or CSP violations', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('refuses the same URL (its token is one-time) in a fresh browser context', async () => {
    const context = await browser.newContext();
    const other = await context.newPage();
    const response = await other.goto(served.url);
    expect(response?.status()).toBe(401);
    await context.close();
  });
});
