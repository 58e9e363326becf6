import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';
import { expectNoAxeViolations } from './support/axe.js';
import { bodies, type BrowserGlobals, closeAll, launchBrowser, newPage, skipWithoutChromium, type TestPage, widget } from './support/browser.js';

/**
 * The widget side of a follow-up email's link (docs/widget.md, "Links from follow-up emails") in
 * Chromium: the built loader and chat code on a shop page, the customer API answered by routes
 * (the mail, the server and the whole journey are covered by the follow-up E2E with `parley start`).
 */

const TOKEN = 'Ab3_-9xYz012345678901234567890123456789abcd';
const SHOP = 'https://shop.example';
const CONVERSATION = 7;

/** The two widget files as scripts/build-widget.mjs builds them, kept in memory (dist/ is left alone). */
async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const result = await build({ entryPoints: [join(ROOT, entry)], bundle: true, minify: true, format: 'iife', platform: 'browser', target: 'es2019', write: false, define, logLevel: 'warning' });
  return result.outputFiles[0]!.text;
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cart</title></head>
<body><main><h1 id="section">Your cart</h1><label>Search <input id="search" autofocus></label></main>
<script src="/js/live-chat.js" async></script></body></html>`;

const CONFIG = { broadcaster: null, key: null, wsHost: null, wsPort: null, wssPort: null, forceTLS: false, cluster: null, authEndpoint: '/broadcasting/auth', agents_online: 1, available: true, next_available_at: null, away_message: '', offline_mode: 'form', greeting: 'Hi!', color: '#1f5fbf' };

const TRANSCRIPT = [
  { sender: 'visitor', body: 'Do you ship to Ireland?' },
  { sender: 'agent', author_name: 'Sam', body: 'Yes! <b>3 days</b>' },
].map((m, i) => ({ ...m, id: 100 + i, conversation_id: CONVERSATION, seq: i + 1, created_at: '2026-12-03T10:00:00Z' }));

describe.skipIf(skipWithoutChromium)('a follow-up email link in Chromium', { timeout: 60_000 }, () => {
  let browser: Browser | undefined;
  let loader = '';
  let app = '';
  const contexts: BrowserContext[] = [];
  const pages: TestPage[] = [];

  beforeAll(async () => {
    app = await bundle('web/widget/app/main.ts');
    loader = await bundle('web/widget/loader.ts', { __APP_VERSION__: '"test"' });
    browser = await launchBrowser();
  }, 60_000);

  afterEach(async () => {
    expect(await closeAll(contexts, pages), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the shop page at `url` with the link endpoint answering `linkStatus`; returns the page and what the link endpoint was sent. */
  async function visit(url: string, linkStatus: 200 | 404) {
    const context = await browser!.newContext();
    contexts.push(context);
    const redeemed: { body: unknown; fingerprint: string | undefined }[] = [];
    const json = (route: Route, status: number, body?: unknown) => route.fulfill({ status, contentType: 'application/json', body: body === undefined ? '' : JSON.stringify(body) });
    await context.route(`${SHOP}/**`, async (route) => {
      const request = route.request();
      const path = new URL(request.url()).pathname;
      if (path === '/cart') return route.fulfill({ contentType: 'text/html', body: PAGE });
      if (path === '/js/live-chat.js') return route.fulfill({ contentType: 'text/javascript', body: loader });
      if (path === '/js/live-chat-app.js') return route.fulfill({ contentType: 'text/javascript', body: app });
      if (path === '/api/chat/config') return json(route, 200, CONFIG);
      if (path === '/api/chat/lookup') return json(route, 200, { match: 'none' });
      if (path === '/api/chat/link') {
        redeemed.push({ body: request.postDataJSON(), fingerprint: await request.headerValue('x-client-fingerprint') ?? undefined });
        if (linkStatus === 404) return json(route, 404, { error: { code: 'not_found', message: 'Not found.', fields: { token: 'is unknown, used or expired' } } });
        return json(route, 200, { conversation: { id: CONVERSATION, status: 'open', last_seq: 2, visitor_read_seq: 1, agent: null }, visitor_token: 'fresh-visitor-token', messages: TRANSCRIPT });
      }
      if (path === `/api/chat/${CONVERSATION}/messages` && request.method() === 'GET') return json(route, 200, { messages: [], last_seq: 2 });
      if (path === `/api/chat/${CONVERSATION}/read`) return json(route, 204);
      return json(route, 404, { error: { code: 'not_found', message: 'Not found.' } });
    });
    const page = await newPage(context);
    pages.push(page);
    await page.page.goto(url);
    return { page: page.page, redeemed };
  }

  it("reopens the conversation with the agent's reply, takes the token out of the address and leaves the focus on the page", async () => {
    const { page, redeemed } = await visit(`${SHOP}/cart?step=2#section&parley-link=${TOKEN}`, 200);
    const w = widget(page);
    await expect.poll(() => w.host.getAttribute('data-link')).toBe('opened');
    expect(page.url()).toBe(`${SHOP}/cart?step=2#section`);
    expect(await page.evaluate(() => (globalThis as unknown as { location: { href: string } }).location.href)).toBe(`${SHOP}/cart?step=2#section`);
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.host.getAttribute('data-open')).toBe('true');
    await expect.poll(() => bodies(page, 'agent')).toEqual(['Yes! <b>3 days</b>']);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id)).toBe('search');
    const stored = await page.evaluate(() => ['chat_conversation_id', 'chat_visitor_token'].map((k) => (globalThis as unknown as BrowserGlobals).localStorage.getItem(k)));
    expect(stored).toEqual([String(CONVERSATION), 'fresh-visitor-token']);
    expect(redeemed).toEqual([{ body: { token: TOKEN, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    await expectNoAxeViolations(page, { label: 'widget opened from an email link, desktop', include: '#parley-widget' });
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoAxeViolations(page, { label: 'widget opened from an email link, phone', include: '#parley-widget' });
  });

  it('says so politely when the link was used or has expired, and lets the visitor start a conversation', async () => {
    const { page } = await visit(`${SHOP}/cart#parley-link=${TOKEN}`, 404);
    const w = widget(page);
    await expect.poll(() => w.host.getAttribute('data-link')).toBe('expired');
    expect(page.url()).toBe(`${SHOP}/cart`);
    await expect(w.status.textContent()).resolves.toBe('This link has expired or was already used. You can start a new conversation here.');
    expect(await w.status.isVisible()).toBe(true);
    expect(await w.composer.isVisible()).toBe(true);
    await expectNoAxeViolations(page, { label: 'widget after an expired email link, desktop', include: '#parley-widget' });
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoAxeViolations(page, { label: 'widget after an expired email link, phone', include: '#parley-widget' });
  });
});
