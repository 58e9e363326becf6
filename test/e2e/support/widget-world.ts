import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type BrowserGlobals, closeAll, conversationId, launchBrowser, messages, newPage, openWidget, send, type TestPage, waitForMessage, widget } from './browser.js';
import { type ApiMessage, type HostSite, type ParleyServer, startHostSite, startParley } from './server.js';

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/London' };

/**
 * The customer widget's E2E world (test/e2e/widget*.e2e.test.ts): the real `parley start`, a host
 * site on another origin, Debian's Chromium, and one browser context per visitor. Call it inside
 * a `describe`: it starts them before the first test, closes each test's visitors after it (an
 * uncaught page error fails the test) and closes every open conversation, since every browser
 * here shares 127.0.0.1 and an open conversation would be offered to the next test.
 */
export function useWidgetWorld() {
  let browser: Browser | undefined;
  let parley: ParleyServer;
  let site: HostSite;
  const contexts: BrowserContext[] = [];
  const pages: TestPage[] = [];

  beforeAll(async () => {
    parley = await startParley();
    site = await startHostSite(parley.url);
    browser = await launchBrowser();
  }, 60_000);

  afterEach(async () => {
    const errors = await closeAll(contexts, pages);
    await parley?.agent.closeAll();
    expect(errors, 'uncaught errors or dialogs in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await parley?.stop();
  });

  /** A fresh visitor: its own browser context (storage, cookies), set up by `prepare` when given, and one page. */
  async function visitor(options: BrowserContextOptions = DESKTOP, prepare?: (context: BrowserContext) => Promise<unknown>): Promise<TestPage> {
    if (browser === undefined) throw new Error('the browser did not start');
    const context = await browser.newContext(options);
    contexts.push(context);
    await prepare?.(context);
    const page = await newPage(context);
    pages.push(page);
    return page;
  }

  /**
   * Opens the widget on `origin`'s demo or host page, sends `body` and waits until it is stored and the conversation's
   * channel is subscribed (so a reply can come over the WebSocket); answers the conversation id.
   */
  async function startChat(visitorPage: TestPage, origin: string, body: string): Promise<number> {
    const { page } = visitorPage;
    await page.goto(`${origin}/`);
    await openWidget(page);
    await send(page, body);
    await waitForMessage(page, body, { sender: 'visitor', state: 'sent' });
    const id = await conversationId(page);
    await visitorPage.waitForConsole(`Subscribed to conversation.${id}`);
    return id;
  }

  /** Visitor messages as the agent sees them (the stored truth), in `seq` order. */
  async function visitorTranscript(id: number): Promise<ApiMessage[]> {
    return (await parley.agent.transcript(id)).filter((m) => m.sender === 'visitor');
  }

  return {
    get parley(): ParleyServer {
      return parley;
    },
    get site(): HostSite {
      return site;
    },
    visitor,
    startChat,
    visitorTranscript,
  };
}

export const transport = (page: Page) => widget(page).host.getAttribute('data-transport');

/** The widget's keys in the page's localStorage. */
export const chatKeys = (page: Page) =>
  page.evaluate(() => {
    const storage = (globalThis as unknown as BrowserGlobals).localStorage;
    return Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '').filter((key) => key.startsWith('chat_'));
  });

/** The shown messages that the server numbered, without the pending ones or a greeting. */
export const numbered = async (page: Page) => (await messages(page)).filter((m) => m.seq !== null).map(({ seq, sender, body }) => ({ seq, sender, body }));

/** After a reload: opens the panel unless the widget reopened it itself. */
export async function ensureOpen(page: Page): Promise<void> {
  const w = widget(page);
  await w.launcher.waitFor({ state: 'visible' });
  if (!(await w.panel.isVisible())) await openWidget(page);
  await w.composer.waitFor({ state: 'visible' });
}
