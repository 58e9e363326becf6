import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { skipWithoutChromium } from './support/browser.js';
import { button, clickTopBarLink, dashboardSuite, DESKTOP, sessionCookie } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * An agent's own email preferences on the Account page, and the admin's "transcript on close"
 * chat setting (docs/dashboard.md, "Email preferences" and "Chat settings"), in Debian's Chromium
 * at desktop and phone sizes, clicked as a person would.
 */

const DOT = { email: 'dot@e2e.test', name: 'Dot Agent', password: 'dot-e2e-password', role: 'agent' as const };

/** Parley's CSP refuses the inline script that carries axe-core: the checked browsers bypass it. */
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, bypassCSP: true }],
  ['phone', { bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'Europe/London' }],
];

const NEW_CONVERSATIONS = 'Email me about new conversations';
const UNANSWERED = 'Email me about conversations left unanswered';
const TRANSCRIPT = 'Email visitors the transcript when a conversation closes';

/** Follows a top-bar link (on a phone too) and waits for the page's heading. */
async function openPage(page: Page, link: string, path: string, heading: string): Promise<void> {
  await clickTopBarLink(page, link);
  await page.waitForURL((url) => url.pathname === path);
  await page.getByRole('heading', { name: heading, exact: true }).waitFor({ state: 'visible' });
}

/** The height of the label around a checkbox: the touch target. */
async function targetHeight(page: Page, name: string): Promise<number> {
  const box = await page.locator('label', { has: page.getByRole('checkbox', { name, exact: true }) }).boundingBox();
  return box?.height ?? 0;
}

describe.skipIf(skipWithoutChromium)('agent dashboard: email preferences and the transcript setting, in Chromium', { timeout: 90_000 }, () => {
  const { parley, context, pageIn, loginPage, dashboardShown } = dashboardSuite(async (server) => {
    await server.agent.createAgent(DOT);
  });

  async function dashboardAt(options: BrowserContextOptions, email: string, password: string): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, email, password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  const me = async (page: Page) => {
    const cookie = await sessionCookie(page.context(), parley().url);
    const res = await fetch(`${parley().url}/api/agent/me`, { headers: { cookie } });
    return ((await res.json()) as { agent: { notify_email: boolean; notify_unanswered: boolean } }).agent;
  };

  for (const [size, options] of SIZES) {
    it(`saves each email preference when it is ticked, says so, keeps it across a reload, and passes axe (${size})`, async () => {
      const page = await dashboardAt(options, DOT.email, DOT.password);
      await openPage(page, 'Account', '/stratus/account', 'Your account');
      const unanswered = page.getByRole('checkbox', { name: UNANSWERED, exact: true });
      const newOnes = page.getByRole('checkbox', { name: NEW_CONVERSATIONS, exact: true });
      expect(await newOnes.isChecked()).toBe(true);
      expect(await unanswered.isChecked()).toBe(true);
      await expectNoAxeViolations(page, { label: `dashboard account, email preferences, ${size}` });
      if (size === 'phone') expect(await targetHeight(page, UNANSWERED), 'a 44 px touch target').toBeGreaterThanOrEqual(44);

      await unanswered.uncheck();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ state: 'visible', timeout: 5_000 });
      expect(await me(page)).toMatchObject({ notify_email: true, notify_unanswered: false });
      await expectNoAxeViolations(page, { label: `dashboard account, email preference saved, ${size}` });

      await page.reload();
      await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor({ state: 'visible' });
      expect(await page.getByRole('checkbox', { name: UNANSWERED, exact: true }).isChecked(), 'kept by the server').toBe(false);

      await page.getByRole('checkbox', { name: NEW_CONVERSATIONS, exact: true }).uncheck();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ state: 'visible', timeout: 5_000 });
      await page.getByRole('checkbox', { name: UNANSWERED, exact: true }).check();
      await expect.poll(async () => me(page), { timeout: 5_000 }).toMatchObject({ notify_email: false, notify_unanswered: true });
      // Put back for the next size.
      await page.getByRole('checkbox', { name: NEW_CONVERSATIONS, exact: true }).check();
      await expect.poll(async () => me(page), { timeout: 5_000 }).toMatchObject({ notify_email: true, notify_unanswered: true });
    });
  }

  it('puts a refused preference back and says it was not saved', async () => {
    const page = await dashboardAt({ ...DESKTOP, bypassCSP: true }, DOT.email, DOT.password);
    await openPage(page, 'Account', '/stratus/account', 'Your account');
    await page.route('**/api/agent/me', (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'service_unavailable', message: 'Try again soon.' } }) })
        : route.continue(),
    );
    const newOnes = page.getByRole('checkbox', { name: NEW_CONVERSATIONS, exact: true });
    // A click, not `uncheck()`: the refusal may put the box back before Playwright looks, which `uncheck()` takes for a failed click.
    await newOnes.click();
    const alert = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await alert.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await alert.textContent()).toContain('new conversations is unchanged');
    await expect.poll(() => newOnes.isChecked()).toBe(true);
    expect(await me(page)).toMatchObject({ notify_email: true });
    await expectNoAxeViolations(page, { label: 'dashboard account, email preference refused, desktop' });
  });

  for (const [size, options] of SIZES) {
    it(`lets an admin turn on the transcript email on close, kept after a reload, and passes axe (${size})`, async () => {
      const page = await dashboardAt(options, ADMIN.email, ADMIN.password);
      await openPage(page, 'Chat settings', '/stratus/settings', 'Chat settings');
      const form = page.getByRole('form', { name: 'Chat settings' });
      const transcript = form.getByRole('checkbox', { name: TRANSCRIPT, exact: true });
      const wanted = size === 'desktop';
      if ((await transcript.isChecked()) === wanted) {
        // A second run against the same server: start from the opposite state.
        await transcript.setChecked(!wanted);
        await button(page, 'Save').click();
        await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor({ state: 'visible', timeout: 5_000 });
      }
      if (size === 'phone') expect(await targetHeight(page, TRANSCRIPT), 'a 44 px touch target').toBeGreaterThanOrEqual(44);
      await transcript.setChecked(wanted);
      expect(await page.locator('[data-parley="settings-dirty"]').textContent()).toBe('Unsaved changes');
      await button(page, 'Save').click();
      await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor({ state: 'visible', timeout: 5_000 });
      await expectNoAxeViolations(page, { label: `dashboard chat settings, transcript on close, ${size}` });

      const cookie = await sessionCookie(page.context(), parley().url);
      const stored = (await (await fetch(`${parley().url}/api/agent/settings`, { headers: { cookie } })).json()) as { settings: { transcript_on_close: boolean } };
      expect(stored.settings.transcript_on_close).toBe(wanted);

      await page.reload();
      await page.getByRole('form', { name: 'Chat settings' }).waitFor({ state: 'visible' });
      expect(await page.getByRole('checkbox', { name: TRANSCRIPT, exact: true }).isChecked(), 'kept by the server').toBe(wanted);
    });
  }
});
