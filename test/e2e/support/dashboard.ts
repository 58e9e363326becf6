import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { conversationId, launchBrowser, newPage, openWidget, send, type TestPage, waitForMessage } from './browser.js';
import { ADMIN, DASHBOARD_APP, ensureBuilt, type ParleyServer, startParley } from './server.js';

/** The agent dashboard suites' shared pieces: locators for its stable hooks and a suite harness. */

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/London' };

export const row = (page: Page, id: number) => page.locator(`[data-parley="conversation"][data-conversation-id="${id}"]`);
export const transcriptMessage = (page: Page, sender: string, text: string) =>
  page.locator(`[data-parley="transcript"] [data-parley="message"][data-sender="${sender}"]`, { hasText: text });
export const replyBox = (page: Page) => page.locator('textarea[data-parley="reply"]');
export const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** An inbox filter, whichever control the dashboard draws it with. */
export const filter = (page: Page, name: string) =>
  page
    .getByRole('button', { name, exact: true })
    .or(page.getByRole('tab', { name, exact: true }))
    .or(page.getByRole('radio', { name, exact: true }))
    .or(page.getByRole('link', { name, exact: true }))
    .first();

/** Clicks a top-bar page link; on a phone the links are behind Menu (docs/dashboard.md, "On a phone"), opened first. */
export async function clickTopBarLink(page: Page, name: string): Promise<void> {
  const menu = page.locator('[data-parley="menu"]');
  if ((await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await page.getByRole('link', { name, exact: true }).click();
}

/** Visible text of an element, or "hidden". */
export async function shownText(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector).first();
  return (await locator.isVisible()) ? ((await locator.textContent()) ?? '').trim() : 'hidden';
}

/** The text of the login page's alert once it says something ('' while it is empty). */
export async function loginAlert(page: Page): Promise<string> {
  const alert = page.getByRole('alert').filter({ hasText: /\S/ });
  return (await alert.count()) === 0 ? '' : ((await alert.first().textContent()) ?? '').trim();
}

/** The `parley_session` cookie a browser context holds for `url`, as a `Cookie` header. */
export async function sessionCookie(context: BrowserContext, url: string): Promise<string> {
  const session = (await context.cookies(url)).find((c) => c.name === 'parley_session');
  expect(session, 'a parley_session cookie').toBeDefined();
  return `parley_session=${session?.value ?? ''}`;
}

/**
 * One `parley start` and one Chromium for a `describe` block, registered as its hooks: every
 * context a test opens is closed after it, open conversations are closed (every browser here
 * shares 127.0.0.1, so one would be offered to the next visitor), and uncaught page errors or
 * unexpected dialogs fail the test.
 */
export function dashboardSuite(setup: (parley: ParleyServer) => Promise<void> = async () => undefined) {
  let browser: Browser | undefined;
  let server: ParleyServer | undefined;
  let contexts: BrowserContext[] = [];
  let pages: TestPage[] = [];

  beforeAll(async () => {
    ensureBuilt(170_000, [DASHBOARD_APP]);
    server = await startParley();
    await setup(server);
    browser = await launchBrowser();
  }, 240_000);

  afterEach(async () => {
    const errors = pages.flatMap((p) => p.errors.map((e) => `${p.page.url()}: ${e.message}`));
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    contexts = [];
    pages = [];
    await server?.agent.closeAll();
    expect(errors, 'uncaught errors or dialogs in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const parley = (): ParleyServer => {
    if (server === undefined) throw new Error('parley did not start');
    return server;
  };

  async function context(options: BrowserContextOptions = DESKTOP): Promise<BrowserContext> {
    if (browser === undefined) throw new Error('the browser did not start');
    const created = await browser.newContext(options);
    contexts.push(created);
    return created;
  }

  async function pageIn(ctx: BrowserContext): Promise<TestPage> {
    const page = await newPage(ctx);
    pages.push(page);
    return page;
  }

  /** A customer on the demo page, widget open. */
  async function customer(options: BrowserContextOptions = DESKTOP): Promise<TestPage> {
    const visitor = await pageIn(await context(options));
    await visitor.page.goto(`${parley().url}/`);
    await openWidget(visitor.page);
    return visitor;
  }

  /** Sends the first message and answers the conversation id once the widget is subscribed to it. */
  async function startChat(visitor: TestPage, body: string): Promise<number> {
    await send(visitor.page, body);
    await waitForMessage(visitor.page, body, { sender: 'visitor', state: 'sent' });
    const id = await conversationId(visitor.page);
    await visitor.waitForConsole(`Subscribed to conversation.${id}`);
    return id;
  }

  /** Logs in through `/stratus/login` as a person would. */
  async function loginPage(agentPage: TestPage, email: string, password: string): Promise<void> {
    const { page } = agentPage;
    await page.goto(`${parley().url}/stratus/login`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await button(page, 'Log in').click();
  }

  /** Waits until the logged-in dashboard shows, its inbox live (agents online shown). */
  async function dashboardShown(page: Page): Promise<void> {
    await page.waitForURL((url) => url.pathname.startsWith('/stratus') && !url.pathname.startsWith('/stratus/login'));
    await page.locator('[data-parley="agents-online"]').waitFor({ state: 'visible' });
  }

  /** An agent's dashboard in its own context, logged in, inbox live. */
  async function dashboard(email = ADMIN.email, password = ADMIN.password, prepare?: (ctx: BrowserContext) => Promise<void>): Promise<TestPage> {
    const ctx = await context();
    await prepare?.(ctx);
    const agentPage = await pageIn(ctx);
    await loginPage(agentPage, email, password);
    await dashboardShown(agentPage.page);
    return agentPage;
  }

  /** Clicks the conversation's inbox row and waits until the transcript shows `text`. */
  async function openConversation(page: Page, id: number, text: string): Promise<void> {
    await row(page, id).click();
    await transcriptMessage(page, 'visitor', text).first().waitFor({ state: 'visible' });
  }

  return { parley, context, pageIn, customer, startChat, loginPage, dashboardShown, dashboard, openConversation };
}
