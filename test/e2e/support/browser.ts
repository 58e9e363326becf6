import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Dialog, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium; never a browser downloaded by `playwright install`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Locally a machine without Chromium skips the browser suites with a warning; in CI
 * (`CI=true`) they run anyway and fail in `launchBrowser`, so a missing browser is never green.
 */
export const skipWithoutChromium = !existsSync(CHROMIUM_PATH) && process.env.CI !== 'true';
if (skipWithoutChromium) {
  console.warn(`warning: ${CHROMIUM_PATH} not found, browser suites skipped (apt-get install -y chromium)`);
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A page that remembers its console output and uncaught errors. */
export interface TestPage {
  page: Page;
  /** Every console message so far, in order. */
  console: ConsoleMessage[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  errors: Error[];
  /** The current length of `console`: pass it to `waitForConsole` to ignore what came before. */
  mark(): number;
  /** Resolves with the first console message from index `from` on whose text contains `substring`. */
  waitForConsole(substring: string, options?: { timeout?: number; from?: number }): Promise<ConsoleMessage>;
  /**
   * Expects the page's next dialog (a prompt, say): it is accepted with `answer` and not counted
   * as an error; resolves with it, or rejects when none opens within `timeout` ms.
   */
  expectDialog(answer?: string, timeout?: number): Promise<Dialog>;
}

/**
 * Closes every context a test opened (emptying both lists for the next test) and answers the
 * uncaught errors their pages saw, each with its page's address: a test expects none.
 */
export async function closeAll(contexts: BrowserContext[], pages: TestPage[]): Promise<string[]> {
  const errors = pages.flatMap((p) => p.errors.map((e) => `${p.page.url()}: ${e.message}`));
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  contexts.length = 0;
  pages.length = 0;
  return errors;
}

export async function newPage(context: BrowserContext): Promise<TestPage> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const messages: ConsoleMessage[] = [];
  const errors: Error[] = [];
  const waiters = new Set<() => void>();
  const expectedDialogs: ((dialog: Dialog) => void)[] = [];
  page.on('console', (message) => {
    messages.push(message);
    for (const waiter of [...waiters]) waiter();
  });
  page.on('pageerror', (error) => errors.push(error));
  // A body rendered as HTML could run script: any dialog not expected is a failure, and must not hang the page.
  page.on('dialog', (dialog) => {
    const expected = expectedDialogs.shift();
    if (expected !== undefined) {
      expected(dialog);
      return;
    }
    errors.push(new Error(`unexpected ${dialog.type()} dialog: ${dialog.message()}`));
    void dialog.dismiss();
  });

  const waitForConsole = (substring: string, { timeout = 10_000, from = 0 } = {}) =>
    new Promise<ConsoleMessage>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find((m) => m.text().includes(substring));
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const timer = setTimeout(() => {
        finish();
        const seen = messages.slice(from).map((m) => `  [${m.type()}] ${m.text()}`);
        reject(new Error(`no console message containing ${JSON.stringify(substring)} within ${timeout} ms; console was:\n${seen.join('\n') || '  (empty)'}`));
      }, timeout);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const expectDialog = (answer?: string, timeout = 10_000) =>
    new Promise<Dialog>((resolve, reject) => {
      const handle = (dialog: Dialog) => {
        clearTimeout(timer);
        dialog.accept(answer).then(() => resolve(dialog), reject);
      };
      const timer = setTimeout(() => {
        expectedDialogs.splice(expectedDialogs.indexOf(handle), 1);
        reject(new Error(`no dialog opened within ${timeout} ms`));
      }, timeout);
      expectedDialogs.push(handle);
    });

  return { page, console: messages, errors, mark: () => messages.length, waitForConsole, expectDialog };
}

/** Locators for the widget's stable hooks; Playwright's CSS engine pierces its open shadow root. */
export function widget(page: Page) {
  const host = page.locator('#parley-widget');
  const hook = (name: string) => host.locator(`[data-parley="${name}"]`);
  return {
    host,
    launcher: host.locator('button[data-parley="launcher"]'),
    unread: hook('unread'),
    panel: hook('panel'),
    close: hook('close'),
    messages: hook('messages'),
    message: hook('message'),
    composer: host.locator('textarea[data-parley="composer"]'),
    send: hook('send'),
    status: hook('status'),
    typing: hook('typing'),
    availability: hook('availability'),
    resumePrompt: hook('resume-prompt'),
    away: hook('away'),
    awayEmail: host.locator('input[data-parley="away-email"]'),
    newConversation: hook('new-conversation'),
  };
}

/** Clicks the launcher and waits for the panel and its composer. */
export async function openWidget(page: Page): Promise<void> {
  const w = widget(page);
  await w.launcher.click();
  await w.panel.waitFor({ state: 'visible' });
  await w.composer.waitFor({ state: 'visible' });
}

/** A visitor's address, given when the widget asks for one because nobody is available. */
export const VISITOR_EMAIL = 'visitor@e2e.test';

/** Types `text` into the composer and presses Enter, as a visitor would (giving an email first when the widget asks for one). */
export async function send(page: Page, text: string): Promise<void> {
  const { composer, awayEmail } = widget(page);
  // One step in the page: availability may change (and the field vanish) between a check and a fill made from here.
  type Field = { value: string; getClientRects(): { length: number }; dispatchEvent(event: object): boolean };
  await awayEmail.evaluateAll((fields: Field[], email: string) => {
    for (const field of fields) {
      if (field.getClientRects().length === 0 || field.value !== '') continue;
      field.value = email;
      field.dispatchEvent(new (globalThis as unknown as { Event: new (type: string, init: object) => object }).Event('input', { bubbles: true }));
    }
  }, VISITOR_EMAIL);
  await composer.click();
  await composer.fill(text);
  await composer.press('Enter');
}

export interface ShownMessage {
  seq: number | null;
  sender: string | null;
  state: string | null;
  body: string;
}

/** The messages the widget shows, top to bottom, as a person reads them. */
export async function messages(page: Page): Promise<ShownMessage[]> {
  return widget(page).message.evaluateAll((elements) =>
    elements.map((el) => {
      const seq = el.getAttribute('data-seq');
      return {
        seq: seq === null ? null : Number(seq),
        sender: el.getAttribute('data-sender'),
        state: el.getAttribute('data-state'),
        body: el.querySelector('[data-parley="body"]')?.textContent ?? '',
      };
    }),
  );
}

/** Bodies of the messages shown, optionally only those from one sender. */
export async function bodies(page: Page, sender?: string): Promise<string[]> {
  return (await messages(page)).filter((m) => sender === undefined || m.sender === sender).map((m) => m.body);
}

/** Waits until a message with exactly `body` is shown (and, if given, in `state`). */
export async function waitForMessage(page: Page, body: string, options: { state?: string; sender?: string; timeout?: number } = {}): Promise<ShownMessage> {
  const matches = (m: ShownMessage) => m.body === body && (options.state === undefined || m.state === options.state) && (options.sender === undefined || m.sender === options.sender);
  await expect
    .poll(async () => (await messages(page)).some(matches), { timeout: options.timeout ?? 10_000, interval: 100, message: `message ${JSON.stringify(body)} ${JSON.stringify(options)} shown` })
    .toBe(true);
  return (await messages(page)).find(matches) as ShownMessage;
}

/** The few browser globals the suites read inside `page.evaluate` (the project compiles without the DOM lib). */
export interface BrowserGlobals {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void; length: number; key(i: number): string | null };
  document: { activeElement: { id?: string; shadowRoot?: { activeElement: unknown } | null } | null };
}

/** The conversation id the widget stored in the host page's localStorage, if any. */
export async function storedConversationId(page: Page): Promise<number | undefined> {
  const value = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('chat_conversation_id'));
  return value === null ? undefined : Number(value);
}

/** Waits for the widget to store its conversation id and answers it. */
export async function conversationId(page: Page, timeout = 10_000): Promise<number> {
  await expect.poll(() => storedConversationId(page), { timeout, interval: 100, message: 'chat_conversation_id stored in localStorage' }).toBeGreaterThan(0);
  return (await storedConversationId(page)) as number;
}

/** Whether the element `locator` points at has focus (inside the widget's shadow root). */
export async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const root = el.getRootNode() as { activeElement?: unknown };
    return root.activeElement === el;
  });
}
