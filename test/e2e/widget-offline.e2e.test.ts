import { join } from 'node:path';
import type { BrowserContextOptions, Page, Request } from 'playwright-core';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { conversationId, isFocused, openWidget, send, skipWithoutChromium, type BrowserGlobals, type TestPage, waitForMessage, widget } from './support/browser.js';
import { dashboardSuite } from './support/dashboard.js';
import { ADMIN } from './support/server.js';
import type { ChatSettingsDto } from '../../src/chat/dto.js';

/**
 * The widget when nobody is available (issue 12, docs/widget.md "When nobody is available"), and
 * what it remembers from page to page: the real `parley start` (nobody online unless a test says
 * so) and Debian's Chromium. With `OFFLINE_SCREENSHOTS=docs/img` the away card is saved there for
 * the docs, at desktop and phone sizes.
 */

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/London', reducedMotion: 'reduce' };
const PHONE: BrowserContextOptions = { ...DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const AWAY_MESSAGE = 'We are closed right now. Leave your question and your email: we will write back.';
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Changes the chat settings as an admin would on the settings page. */
async function patchSettings(url: string, patch: Partial<ChatSettingsDto>): Promise<void> {
  const login = await fetch(`${url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('parley_session=')) ?? '').split(';')[0] ?? '';
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const res = await fetch(`${url}/api/agent/settings`, { method: 'PATCH', headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Opening hours only on the day after tomorrow (UTC): closed now, with a known next opening. */
function hoursFromTheDayAfterTomorrow(): ChatSettingsDto['business_hours'] {
  const day = WEEKDAYS[(new Date().getUTCDay() + 2) % 7] ?? 'mon';
  return { timezone: 'UTC', days: { [day]: [['09:00', '17:00']] } };
}

describe.skipIf(skipWithoutChromium)('customer widget when nobody is available, in Chromium', { timeout: 60_000 }, () => {
  const { parley, context, pageIn } = dashboardSuite();

  afterEach(async () => {
    await patchSettings(parley().url, { offline_mode: 'form', business_hours: null });
  });

  const visitor = async (options: BrowserContextOptions = DESKTOP): Promise<TestPage> => pageIn(await context(options));

  /** Requests for the chat code (`live-chat-app.js`) the page made from now on. */
  function appRequests(page: Page): string[] {
    const seen: string[] = [];
    page.on('request', (request: Request) => {
      if (request.url().includes('/js/live-chat-app.js')) seen.push(request.url());
    });
    return seen;
  }

  const stored = (page: Page) =>
    page.evaluate(() => {
      const storage = (globalThis as unknown as BrowserGlobals).localStorage;
      return Array.from({ length: storage.length }, (_, i) => storage.getItem(storage.key(i) ?? '') ?? '').join('\n');
    });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('says nobody is available, asks for an email before the first message, and starts the conversation with it (%s)', async (size, options) => {
    await patchSettings(parley().url, { away_message: AWAY_MESSAGE, business_hours: hoursFromTheDayAfterTomorrow() });
    const visitorPage = await visitor(options);
    const { page } = visitorPage;
    const starts: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/chat/start')) starts.push(request.postData() ?? '');
    });
    await page.goto(`${parley().url}/`);
    await openWidget(page);
    const w = widget(page);
    await w.away.waitFor({ state: 'visible' });
    await expect(w.away.locator('[data-parley="away-message"]').textContent()).resolves.toBe(AWAY_MESSAGE);
    const { next_available_at } = (await (await fetch(`${parley().url}/api/chat/config`)).json()) as { next_available_at: string };
    const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'Europe/London' }).format(Date.parse(next_available_at));
    await expect(w.away.locator('[data-parley="reply-time"]').textContent()).resolves.toMatch(new RegExp(`^Expect a reply from ${weekday} .* \\d{1,2}:00\\.$`));
    await expect(w.away.textContent()).resolves.toContain("We'll answer by email.");
    await expect(w.availability.textContent()).resolves.toContain('Leave a message');
    const email = page.getByLabel('Your email (required)', { exact: true });
    await expect(email.getAttribute('type')).resolves.toBe('email');
    await expect(email.getAttribute('required')).resolves.not.toBeNull();
    if (process.env.OFFLINE_SCREENSHOTS) await page.screenshot({ path: join(process.env.OFFLINE_SCREENSHOTS, `widget-offline-${size}.png`) });

    // No email: nothing is sent, the problem is said next to the field, and the keyboard is taken there.
    await w.composer.fill('Do you ship seeds to Ireland?');
    await w.composer.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Please enter your email so we can answer you.' }).waitFor({ state: 'visible' });
    await expect.poll(() => isFocused(w.awayEmail)).toBe(true);
    await expect(w.awayEmail.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(w.message.count()).resolves.toBe(0);
    await expect(w.composer.inputValue()).resolves.toBe('Do you ship seeds to Ireland?');

    await page.keyboard.type('ada@example');
    await page.keyboard.press('Tab');
    await expect.poll(() => isFocused(w.composer)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Please enter a valid email address.' }).waitFor({ state: 'visible' });
    await page.keyboard.press('End');
    await page.keyboard.type('.com');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitForMessage(page, 'Do you ship seeds to Ireland?', { sender: 'visitor', state: 'sent' });
    const id = await conversationId(page);
    expect(starts).toHaveLength(1);
    expect(JSON.parse(starts[0] ?? '{}')).toMatchObject({ message: 'Do you ship seeds to Ireland?', email: 'ada@example.com' });
    const conversations = (await parley().agent.openConversations()) as unknown as { id: number; visitor_email: string | null }[];
    expect(conversations.find((c) => c.id === id)?.visitor_email).toBe('ada@example.com');
    // The address went with the start request only: the page keeps no copy.
    expect(await stored(page)).not.toContain('ada@example.com');

    // The conversation exists: still honest about the wait, no second request for the email, never "Agent is typing".
    await expect.poll(() => w.awayEmail.isVisible()).toBe(false);
    await expect(w.away.textContent()).resolves.toContain(AWAY_MESSAGE);
    await send(page, 'And to Northern Ireland?');
    await waitForMessage(page, 'And to Northern Ireland?', { sender: 'visitor', state: 'sent' });
    expect(starts).toHaveLength(1);
    await expect(w.typing.isVisible()).resolves.toBe(false);
  });

  it('hides the launcher in hide mode while nobody is available, shows it when an agent comes, and always for a stored conversation', async () => {
    const returning = await visitor();
    const id = await (async () => {
      await returning.page.goto(`${parley().url}/`);
      await openWidget(returning.page);
      await send(returning.page, 'I will come back to this');
      return conversationId(returning.page);
    })();
    await patchSettings(parley().url, { offline_mode: 'hide' });

    const { page } = await visitor();
    const w = widget(page);
    await page.goto(`${parley().url}/`);
    await expect.poll(() => w.host.getAttribute('data-available'), { message: 'the chat code knows nobody is available' }).toBe('false');
    await expect(w.launcher.isVisible()).resolves.toBe(false);

    const leave = await parley().agent.goOnline();
    onTestFinished(leave);
    await w.launcher.waitFor({ state: 'visible', timeout: 5_000 });
    leave();
    await expect.poll(() => w.host.getAttribute('data-available'), { timeout: 10_000 }).toBe('false');
    await w.launcher.waitFor({ state: 'hidden' });

    // A visitor with a conversation can still open it.
    await returning.page.reload();
    await returning.waitForConsole(`Subscribed to conversation.${id}`);
    await expect.poll(() => widget(returning.page).host.getAttribute('data-available')).toBe('false');
    await expect(widget(returning.page).launcher.isVisible()).resolves.toBe(true);
  });

  it('reopens the panel on the next page with the unsent draft, lazily, and forgets the draft once sent', async () => {
    const { page } = await visitor();
    const w = widget(page);
    await page.goto(`${parley().url}/`);
    await openWidget(page);
    await w.composer.fill('Do you ship to\nIreland?');

    let requested = appRequests(page);
    await page.reload();
    await w.panel.waitFor({ state: 'visible' });
    await expect.poll(() => w.composer.inputValue()).toBe('Do you ship to\nIreland?');
    expect(requested.length).toBeGreaterThan(0);

    // Closed, with no conversation: the next page draws the launcher only, without the chat code.
    await w.close.click();
    await w.panel.waitFor({ state: 'hidden' });
    requested = appRequests(page);
    await page.reload();
    await w.launcher.waitFor({ state: 'visible' });
    expect(requested).toEqual([]);
    await expect(w.panel.count()).resolves.toBe(0);

    await openWidget(page);
    await expect.poll(() => w.composer.inputValue()).toBe('Do you ship to\nIreland?');
    await w.composer.press('Enter');
    if (await w.awayEmail.isVisible()) {
      await w.awayEmail.fill('ada@example.com');
      await w.composer.press('Enter');
    }
    await waitForMessage(page, 'Do you ship to\nIreland?', { sender: 'visitor', state: 'sent' });
    await page.reload();
    await w.panel.waitFor({ state: 'visible' });
    await waitForMessage(page, 'Do you ship to\nIreland?', { sender: 'visitor', state: 'sent' });
    await expect(w.composer.inputValue()).resolves.toBe('');
  });
});
