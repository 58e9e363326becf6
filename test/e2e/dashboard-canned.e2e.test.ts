import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { conversationId, openWidget, send, skipWithoutChromium, waitForMessage, widget, type TestPage } from './support/browser.js';
import { button, dashboardSuite, DESKTOP, replyBox, row, transcriptMessage } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Canned responses in the dashboard (docs/dashboard.md, "Canned responses"), in Debian's Chromium:
 * `/` and part of a shortcut in the reply box lists them, the keyboard picks one, its variables are
 * filled before sending and the visitor's widget shows the filled text; the management page
 * creates, refuses and deletes them. axe-core at desktop and phone sizes.
 */

const CLEO = { email: 'cleo@e2e.test', name: 'Cleo Agent', password: 'cleo-e2e-password', role: 'agent' as const };
const GREETING = 'Hi {{visitor.name}}, I am {{agent.name}}. How can I help?';
const GREETING_LATE = 'Sorry for the wait, {{visitor.name}}! Your email {{visitor.email}} is noted.';

/** `bypassCSP` only so that axe-core can be injected (test/e2e/accessibility.e2e.test.ts says why). */
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, bypassCSP: true }],
  ['phone', { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
];

/** Logs in over HTTP and answers a JSON caller with the session's cookie and CSRF token. */
async function apiAs(baseUrl: string, email: string, password: string) {
  const login = await fetch(`${baseUrl}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(login.status).toBe(200);
  const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('parley_session=')) ?? '').split(';')[0] as string;
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf_token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
}

const listbox = (page: Page) => page.getByRole('listbox', { name: 'Canned responses' });
const option = (page: Page, shortcut: string) => page.locator(`[data-parley="canned-option"][data-shortcut="${shortcut}"]`);

describe.skipIf(skipWithoutChromium)('agent dashboard: canned responses, in Chromium', { timeout: 120_000 }, () => {
  const { parley, context, pageIn, loginPage, dashboardShown } = dashboardSuite(async (server) => {
    await server.agent.createAgent(CLEO);
    const admin = await apiAs(server.url, ADMIN.email, ADMIN.password);
    for (const [shortcut, body] of [['greeting', GREETING], ['greeting-late', GREETING_LATE], ['refund', 'Refunds take five working days.']]) {
      expect((await admin('POST', '/api/agent/canned-responses', { shortcut, body, shared: true })).status).toBe(201);
    }
  });

  async function dashboardAt(options: BrowserContextOptions): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, CLEO.email, CLEO.password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  /** A visitor on the demo page with the pre-chat fields on (`LiveChatConfig.prechat`), who gives a name and an email and writes. */
  async function namedVisitor(name: string, text: string): Promise<{ visitor: TestPage; id: number }> {
    const visitor = await pageIn(await context(DESKTOP));
    // What a site owner's page sets before the script tag (docs/widget.md, "Options").
    await visitor.page.addInitScript(() => Object.assign(globalThis, { LiveChatConfig: { prechat: true } }));
    await visitor.page.goto(`${parley().url}/`);
    await openWidget(visitor.page);
    const prechat = widget(visitor.page).host.locator('[data-parley="prechat"]');
    await prechat.locator('input[name="name"]').fill(name);
    await prechat.locator('input[name="email"]').fill('ada@e2e.test');
    await send(visitor.page, text);
    await waitForMessage(visitor.page, text, { sender: 'visitor', state: 'sent' });
    const id = await conversationId(visitor.page);
    await visitor.waitForConsole(`Subscribed to conversation.${id}`);
    return { visitor, id };
  }

  for (const [size, options] of SIZES) {
    it(`inserts a canned response picked with the keyboard, its variables filled, and the visitor receives the filled text (${size})`, async () => {
      const page = await dashboardAt(options);
      const name = `Ada ${size}`;
      const { visitor, id } = await namedVisitor(name, 'Is anyone there?');
      await row(page, id).click();
      await transcriptMessage(page, 'visitor', 'Is anyone there?').waitFor({ state: 'visible' });

      const reply = replyBox(page);
      await reply.click();
      await reply.pressSequentially('/gree');
      await listbox(page).waitFor({ state: 'visible' });
      expect(await page.locator('[data-parley="canned-option"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shortcut')))).toEqual(['greeting', 'greeting-late']);
      expect(await option(page, 'greeting').getAttribute('aria-selected')).toBe('true');
      expect(await reply.getAttribute('aria-activedescendant')).toBe(await option(page, 'greeting').getAttribute('id'));
      // The preview is already filled in, as it will be sent.
      expect(await option(page, 'greeting').textContent()).toContain(`Hi ${name}, I am ${CLEO.name}.`);
      await expectNoAxeViolations(page, { label: `dashboard reply box with canned responses listed, ${size}` });

      await reply.press('ArrowDown');
      expect(await option(page, 'greeting-late').getAttribute('aria-selected')).toBe('true');
      await reply.press('ArrowDown');
      await reply.press('ArrowUp');
      expect(await reply.getAttribute('aria-activedescendant')).toBe(await option(page, 'greeting-late').getAttribute('id'));
      await reply.press('Enter');
      const expected = `Sorry for the wait, ${name}! Your email ada@e2e.test is noted.`;
      expect(await reply.inputValue()).toBe(expected);
      expect(await listbox(page).count()).toBe(0);
      expect(await reply.getAttribute('aria-activedescendant')).toBeNull();

      await reply.press('Enter');
      await transcriptMessage(page, 'agent', expected).waitFor({ state: 'visible' });
      await waitForMessage(visitor.page, expected, { sender: 'agent' });
      expect(await reply.inputValue()).toBe('');
    });
  }

  it('lists bodies that contain the query, inserts with Tab or a click, closes with Escape, and leaves a / inside a word alone', async () => {
    const page = await dashboardAt({ ...DESKTOP, bypassCSP: true });
    const { id } = await namedVisitor('Bo', 'About my refund');
    await row(page, id).click();
    const reply = replyBox(page);
    await reply.click();

    await reply.pressSequentially('Hello. /working');
    await option(page, 'refund').waitFor({ state: 'visible' });
    await reply.press('Tab');
    expect(await reply.inputValue()).toBe('Hello. Refunds take five working days.');

    await reply.pressSequentially(' and/or');
    expect(await reply.inputValue(), 'typing goes on after the inserted text').toBe('Hello. Refunds take five working days. and/or');
    expect(await listbox(page).count()).toBe(0);

    await reply.pressSequentially(' /ref');
    await listbox(page).waitFor({ state: 'visible' });
    await reply.press('Escape');
    expect(await listbox(page).count()).toBe(0);
    await reply.pressSequentially('u');
    expect(await listbox(page).count(), 'stays closed for this /word').toBe(0);

    await reply.fill('');
    await reply.pressSequentially('/greeting');
    await option(page, 'greeting').click();
    expect(await reply.inputValue()).toBe(`Hi Bo, I am ${CLEO.name}. How can I help?`);
    expect(await reply.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement), 'focus stays in the reply box').toBe(true);
  });

  for (const [size, options] of SIZES) {
    it(`manages the agent's own canned responses on the Canned responses page, shared ones read-only (${size})`, async () => {
      const page = await dashboardAt(options);
      const shortcut = `thanks-${size}`;
      await page.goto(`${parley().url}/stratus/canned`);
      await page.getByRole('heading', { name: 'Canned responses', level: 1 }).waitFor({ state: 'visible' });
      const shared = page.locator('[data-parley="canned-shared"]');
      await shared.waitFor({ state: 'visible' });
      expect(await shared.locator('[data-parley="canned-response"]').count()).toBe(3);
      expect(await shared.getByRole('button').count(), 'agents cannot edit shared responses').toBe(0);
      await expectNoAxeViolations(page, { label: `dashboard canned responses page, ${size}` });

      await page.getByLabel('Shortcut', { exact: true }).fill(shortcut);
      await page.getByLabel('Text', { exact: true }).fill('Thanks, {{visitor.name}}!');
      await button(page, 'Add canned response').click();
      await page.getByRole('status').filter({ hasText: `Saved /${shortcut}.` }).waitFor({ state: 'visible' });
      const mine = page.locator(`[data-parley="canned-yours"] [data-parley="canned-response"][data-shortcut="${shortcut}"]`);
      await mine.waitFor({ state: 'visible' });

      await page.getByLabel('Shortcut', { exact: true }).fill(shortcut.toUpperCase());
      await page.getByLabel('Text', { exact: true }).fill('Again');
      await button(page, 'Add canned response').click();
      const problem = page.locator('[data-parley="field-error"][data-field="shortcut"]');
      await problem.waitFor({ state: 'visible' });
      expect(await problem.textContent()).toContain('already used');
      expect(await page.getByLabel('Shortcut', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page, { label: `dashboard canned responses page with a refused shortcut, ${size}` });

      await page.getByRole('button', { name: `Delete /${shortcut}`, exact: true }).click();
      await page.getByRole('button', { name: `Delete /${shortcut}`, exact: true }).click();
      await page.getByRole('status').filter({ hasText: `Deleted /${shortcut}.` }).waitFor({ state: 'visible' });
      expect(await mine.count()).toBe(0);
    });
  }
});
