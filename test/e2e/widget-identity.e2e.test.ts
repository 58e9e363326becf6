import { SignJWT } from 'jose';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { bodies, closeAll, launchBrowser, newPage, openWidget, send, skipWithoutChromium, type TestPage, waitForMessage } from './support/browser.js';
import { ensureBuilt, type ParleyServer, startParley } from './support/server.js';

/**
 * Verified visitors (docs/identity.md) in Chromium against `parley start`: the page identifies its
 * logged-in user with `window.Parley('identify', …)`; two browser contexts (two devices, nothing
 * shared) signed in as the same user see one conversation.
 */

const SECRET = 'e2e-identity-secret-0123456789abcdef-0123';

const signFor = (sub: string, name: string) =>
  new SignJWT({ name, email: `${sub}@e2e.test` }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));

describe.skipIf(skipWithoutChromium)('verified visitors in the widget', { timeout: 90_000 }, () => {
  let parley: ParleyServer;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pages: TestPage[] = [];

  beforeAll(async () => {
    ensureBuilt();
    parley = await startParley({ CHAT_IDENTITY_SECRET: SECRET });
    browser = await launchBrowser();
  }, 120_000);

  afterEach(async () => {
    expect(await closeAll(contexts, pages), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await parley?.stop();
  });

  /** A fresh browser context (another device) on the demo page, identified as `user` when given. */
  async function device(identity?: { id: string; token: string }): Promise<TestPage> {
    // bypassCSP: axe is injected as a script into Parley's own page, whose CSP forbids that.
    const context = await browser!.newContext({ bypassCSP: true });
    contexts.push(context);
    const page = await newPage(context);
    pages.push(page);
    await page.page.goto(`${parley.url}/`);
    await page.page.waitForFunction(() => typeof (globalThis as unknown as { Parley?: unknown }).Parley === 'function');
    if (identity) await page.page.evaluate((i) => (globalThis as unknown as { Parley(c: string, a: unknown): void }).Parley('identify', i), identity);
    return page;
  }

  it('two devices signed in as the same user see one conversation, with the whole transcript; axe finds nothing', async () => {
    const ada = { id: 'user-ada', token: await signFor('user-ada', 'Ada') };
    const laptop = await device(ada);
    await openWidget(laptop.page);
    await send(laptop.page, 'Asked on my laptop');
    await waitForMessage(laptop.page, 'Asked on my laptop', { state: 'sent' });

    const phone = await device({ id: 'user-ada', token: await signFor('user-ada', 'Ada') });
    await openWidget(phone.page);
    await waitForMessage(phone.page, 'Asked on my laptop');
    await send(phone.page, 'And again from my phone');
    await waitForMessage(laptop.page, 'And again from my phone', { timeout: 20_000 });
    expect(await bodies(phone.page, 'visitor')).toEqual(['Asked on my laptop', 'And again from my phone']);
    await expectNoAxeViolations(phone.page, { label: 'widget of a verified visitor', include: '#parley-widget' });
  });

  it('another user on a device, and the same device after reset, do not see it', async () => {
    const bea = { id: 'user-bea', token: await signFor('user-bea', 'Bea') };
    const first = await device(bea);
    await openWidget(first.page);
    await send(first.page, 'Bea private question');
    await waitForMessage(first.page, 'Bea private question', { state: 'sent' });

    const other = await device({ id: 'user-cal', token: await signFor('user-cal', 'Cal') });
    await openWidget(other.page);
    await send(other.page, 'Cal here');
    await waitForMessage(other.page, 'Cal here', { state: 'sent' });
    expect(await bodies(other.page)).not.toContain('Bea private question');

    await first.page.evaluate(() => (globalThis as unknown as { Parley(c: string): void }).Parley('reset'));
    await first.page.waitForFunction(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('chat_conversation_id') === null);
    const stored = await first.page.evaluate(() => ['chat_conversation_id', 'chat_visitor_token'].map((key) => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem(key)));
    expect(stored).toEqual([null, null]);
    expect(await bodies(first.page)).not.toContain('Bea private question');
  });
});
