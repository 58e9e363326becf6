import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openWidget, send, skipWithoutChromium, type TestPage, waitForMessage, widget } from './support/browser.js';
import { expectNoAxeViolations } from './support/axe.js';
import { button, clickTopBarLink, dashboardSuite, DESKTOP, loginAlert, replyBox, row, transcriptMessage } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Every screen a person uses passes axe-core's WCAG 2.1 A and AA rules (docs/widget.md and
 * docs/dashboard.md, "Accessibility"), at desktop and phone sizes: the customer widget in its
 * open shadow root on the demo page, and each page of the agent dashboard. Each check runs once
 * the state under test is visible; nothing sleeps. With `AXE_SCREENSHOTS=/tmp/axe` each checked
 * screen is saved there too, to look at the phone layouts.
 */

/**
 * Parley's pages send `script-src 'self'`, which refuses the inline script tag that carries
 * axe-core; only the browsers whose pages are checked bypass it.
 */
const AXE_READY: BrowserContextOptions = { bypassCSP: true };

const PHONE: BrowserContextOptions = {
  ...AXE_READY,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  locale: 'en-GB',
  timezoneId: 'Europe/London',
};

const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, ...AXE_READY }],
  ['phone', PHONE],
];

/** A device other than the one under test, on the same network: another fingerprint (screen, language, timezone). */
const OTHER_DEVICE: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, locale: 'fr-FR', timezoneId: 'America/New_York' };

const AGENT = { email: 'alex@e2e.test', name: 'Alex Agent', password: 'alex-e2e-password', role: 'agent' as const };

describe.skipIf(skipWithoutChromium)('accessibility (axe-core, WCAG 2.1 AA) in Chromium', { timeout: 90_000 }, () => {
  const { parley, context, pageIn, startChat, loginPage, dashboardShown, openConversation } = dashboardSuite(async (server) => {
    await server.agent.createAgent(AGENT);
  });

  /** A fresh browser of this size on the demo page, launcher drawn. */
  async function demoPage(options: BrowserContextOptions): Promise<TestPage> {
    const visitor = await pageIn(await context(options));
    await visitor.page.goto(`${parley().url}/`);
    await widget(visitor.page).launcher.waitFor({ state: 'visible' });
    return visitor;
  }

  /** An agent's dashboard in a browser of this size, logged in, inbox live. */
  async function dashboardAt(options: BrowserContextOptions, email = ADMIN.email, password = ADMIN.password): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, email, password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  /** The status switch's choices and the settings form's controls smaller than 44 px in height, by text or label. */
  async function smallTouchTargets(page: Page): Promise<string[]> {
    const selector = '.my-status .choice, [data-parley="chat-settings"] :is(button, select, textarea, input:not([type="checkbox"]):not([type="radio"]), label.check)';
    return page.locator(selector).evaluateAll((elements) =>
      elements
        .filter((e) => e.getBoundingClientRect().height < 44)
        .map((e) => `${e.tagName.toLowerCase()} "${e.getAttribute('aria-label') ?? e.textContent ?? ''}" ${Math.round(e.getBoundingClientRect().height)} px`),
    );
  }

  /** Follows a top-bar link and waits for the page's heading. */
  async function followTopLink(page: Page, link: string, path: string, heading: string): Promise<void> {
    await clickTopBarLink(page, link);
    await page.waitForURL((url) => url.pathname === path);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor({ state: 'visible' });
  }

  it('the check reports a violation inside an open shadow root with its rule, impact, element and HTML', async () => {
    const { page } = await pageIn(await context({ ...DESKTOP, ...AXE_READY }));
    await page.setContent(`<!doctype html><html lang="en"><head><title>Probe</title></head><body><main><h1>Probe</h1><div id="host"></div></main>
<script>document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<button class="mute"></button>';</script></body></html>`);
    const failure = await expectNoAxeViolations(page, { label: 'a probe page', include: '#host' }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toContain('on a probe page');
    expect(failure).toContain('button-name (critical): Buttons must have discernible text');
    expect(failure).toContain('at #host >>> button');
    expect(failure).toContain('<button class="mute"></button>');
  });

  it('the demo page and the chat with an agent reply have no violations in dark mode', async () => {
    const visitor = await demoPage({ ...DESKTOP, ...AXE_READY, colorScheme: 'dark' });
    const { page } = visitor;
    await openWidget(page);
    const id = await startChat(visitor, 'Hello from a dark screen');
    await parley().agentReply(id, 'Hello! Details at https://example.com/help');
    await waitForMessage(page, 'Hello! Details at https://example.com/help', { sender: 'agent', timeout: 5_000 });
    await expectNoAxeViolations(page, { label: 'demo page with the chat open, dark mode' });
  });

  describe.each(SIZES)('at %s size', (size, options) => {
    const widgetOnly = (what: string) => ({ label: `widget, ${what}, ${size}`, include: '#parley-widget' });

    it('the demo page with the chat launcher closed has no violations', async () => {
      const { page } = await demoPage(options);
      await expectNoAxeViolations(page, { label: `demo page, launcher closed, ${size}` });
    });

    it('the open chat (greeting and composer), the transcript with an agent reply, the offline status and the ended conversation have no violations', async () => {
      const visitor = await demoPage(options);
      const { page } = visitor;
      const w = widget(page);
      await openWidget(page);
      await w.panel.getByText(/\S/).first().waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, widgetOnly('chat open, before the first message'));

      const id = await startChat(visitor, 'Hello, where is my order?');
      await parley().agentReply(id, 'It ships today. See https://example.com/track for tracking.');
      await waitForMessage(page, 'It ships today. See https://example.com/track for tracking.', { sender: 'agent', timeout: 5_000 });
      await expectNoAxeViolations(page, widgetOnly('visitor message and agent reply shown'));

      await page.context().setOffline(true);
      await send(page, 'Typed while offline');
      await waitForMessage(page, 'Typed while offline', { state: 'pending' });
      await w.status.waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, widgetOnly('offline: a pending message and the connection status line'));
      await page.context().setOffline(false);
      await waitForMessage(page, 'Typed while offline', { state: 'sent', timeout: 20_000 });

      await parley().agent.close(id);
      await w.newConversation.waitFor({ state: 'visible', timeout: 5_000 });
      await expectNoAxeViolations(page, widgetOnly('conversation ended, "Start a new conversation" offered'));
    });

    it('the away card while nobody is available, its missing-email alert, and the conversation started from it have no violations', async () => {
      const visitor = await demoPage(options);
      const { page } = visitor;
      const w = widget(page);
      await openWidget(page);
      await w.away.waitFor({ state: 'visible' });
      await w.awayEmail.waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, widgetOnly('nobody available: the away card asks for an email'));

      await w.composer.fill('Is anyone there?');
      await w.composer.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'Please enter your email so we can answer you.' }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, widgetOnly('nobody available: the email is missing'));

      await startChat(visitor, 'Is anyone there?');
      await w.awayEmail.waitFor({ state: 'hidden' });
      await expectNoAxeViolations(page, widgetOnly('nobody available: a conversation started from the away card'));
    });

    it('the "Continue your earlier conversation?" offer has no violations', async () => {
      const laptop = await pageIn(await context(OTHER_DEVICE));
      await laptop.page.goto(`${parley().url}/`);
      await openWidget(laptop.page);
      await startChat(laptop, 'I started this on my laptop');

      const { page } = await demoPage(options);
      const w = widget(page);
      await w.launcher.click();
      await w.resumePrompt.waitFor({ state: 'visible' });
      await w.resumePrompt.getByRole('button', { name: 'Continue', exact: true }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, widgetOnly('offer to continue an earlier conversation'));
    });

    it('the login page, empty and with an error alert, has no violations', async () => {
      const agentPage = await pageIn(await context(options));
      const { page } = agentPage;
      await page.goto(`${parley().url}/stratus/login`);
      await page.getByLabel('Email', { exact: true }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard login, ${size}` });

      await loginPage(agentPage, ADMIN.email, 'not-the-password');
      await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard login with "${await loginAlert(page)}", ${size}` });
    });

    it('the empty inbox, the inbox with an open conversation, and the connection banner have no violations', async () => {
      const page = await dashboardAt(options);
      await page.getByText('No conversations here.', { exact: true }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard inbox, empty, ${size}` });

      const visitor = await pageIn(await context(OTHER_DEVICE));
      await visitor.page.goto(`${parley().url}/`);
      await openWidget(visitor.page);
      const id = await startChat(visitor, 'My parcel has not arrived');
      await parley().agentReply(id, 'Let me look that up for you.');
      await row(page, id).waitFor({ state: 'visible', timeout: 5_000 });
      await openConversation(page, id, 'My parcel has not arrived');
      await transcriptMessage(page, 'agent', 'Let me look that up for you.').waitFor({ state: 'visible', timeout: 5_000 });
      await expectNoAxeViolations(page, { label: `dashboard inbox with a conversation open, ${size}` });

      await page.context().setOffline(true);
      await page.locator('[data-parley="connection-banner"]').waitFor({ state: 'visible' });
      await replyBox(page).fill('Replied while offline');
      await replyBox(page).press('Enter');
      await page.locator('[data-parley="message"][data-pending="true"]', { hasText: 'Replied while offline' }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard offline: connection banner and a reply not yet sent, ${size}` });
      await page.context().setOffline(false);
    });

    it("the admin's Agents page and the Account page have no violations", async () => {
      const page = await dashboardAt(options);
      await followTopLink(page, 'Agents', '/stratus/agents', 'Agents');
      await page.locator('[data-parley="agent"]', { hasText: AGENT.email }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard Agents page, ${size}` });

      await followTopLink(page, 'Account', '/stratus/account', 'Your account');
      await expectNoAxeViolations(page, { label: `dashboard Account page, ${size}` });

      const form = page.getByRole('form', { name: 'Change your password' });
      await form.getByLabel('Current password', { exact: true }).fill('not-my-password');
      await form.getByLabel('New password', { exact: true }).fill('a-new-e2e-password');
      await form.getByLabel('Confirm new password', { exact: true }).fill('a-new-e2e-password');
      await button(page, 'Change password').click();
      await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor({ state: 'visible', timeout: 5_000 });
      await expectNoAxeViolations(page, { label: `dashboard Account page with an error, ${size}` });
    });

    it("the admin's Chat settings page (hours, a problem shown next to its field) and the top bar's status switch set to Away have no violations", async () => {
      const page = await dashboardAt(options);
      await followTopLink(page, 'Chat settings', '/stratus/settings', 'Chat settings');
      const form = page.getByRole('form', { name: 'Chat settings' });
      await form.waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard Chat settings page, ${size}` });

      // Nothing is saved: hours set here would make the chat unavailable for the tests after this one.
      await form.getByLabel('Open only during business hours', { exact: true }).check();
      await button(page, 'Add hours on Monday').click();
      await form.getByLabel('Monday closes (1)', { exact: true }).fill('08:00');
      await button(page, 'Save').click();
      await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard Chat settings with business hours and a field error, ${size}` });

      await page.getByRole('radio', { name: 'Away', exact: true }).check();
      await page.locator('[data-parley="my-status"][data-status="away"]').waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard top bar with the status set to Away, ${size}` });
      if (size === 'phone') expect(await smallTouchTargets(page), 'touch targets under 44 px on a phone').toEqual([]);
      await page.getByRole('radio', { name: 'Online', exact: true }).check();
      await page.locator('[data-parley="my-status"][data-status="online"]').waitFor({ state: 'visible' });
    });

    it("an agent's Agents page refusal has no violations", async () => {
      const page = await dashboardAt(options, AGENT.email, AGENT.password);
      await page.goto(`${parley().url}/stratus/agents`);
      await page.getByRole('alert').filter({ hasText: 'Only admins can manage agents.' }).waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, { label: `dashboard Agents page for a non-admin, ${size}` });
    });
  });
});
