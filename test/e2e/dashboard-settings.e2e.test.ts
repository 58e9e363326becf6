import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { skipWithoutChromium } from './support/browser.js';
import { button, clickTopBarLink, dashboardSuite, DESKTOP, sessionCookie } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Availability in the agent dashboard end to end (docs/dashboard.md, "Your status" and "Chat
 * settings"): the real `parley start` and Debian's Chromium, clicked as a person would.
 */

/** axe-core is injected as an inline script, which the pages' `script-src 'self'` refuses unless bypassed. */
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, bypassCSP: true }],
  ['phone', { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
];

const BEA = { email: 'bea@e2e.test', name: 'Bea Agent', password: 'bea-e2e-password', role: 'agent' as const };

/** Follows the top bar's Chat settings link and waits for the form. */
async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Chat settings', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/stratus/settings');
  await page.getByRole('form', { name: 'Chat settings' }).waitFor({ state: 'visible' });
}

/** The presence list's entry for an agent, once it shows `status`. */
const presenceEntry = (page: Page, name: string, status: 'online' | 'away') => page.locator(`[data-parley="online-agent"][data-status="${status}"]`, { hasText: name });

/** The text of the error a field names with `aria-describedby`. */
async function describedError(page: Page, field: ReturnType<Page['getByLabel']>): Promise<string> {
  const id = await field.getAttribute('aria-describedby');
  expect(id, 'the field names its error').toBeTruthy();
  return ((await page.locator(`[id="${id}"]`).textContent()) ?? '').trim();
}

describe.skipIf(skipWithoutChromium)('agent dashboard: status and chat settings, in Chromium', { timeout: 60_000 }, () => {
  const { parley, dashboard, context, pageIn, loginPage, dashboardShown } = dashboardSuite(async (server) => {
    await server.agent.createAgent(BEA);
  });

  it("shows an agent's switch to Away live in another agent's dashboard, keeps it across a reload, and shows it to an admin who logs in later", async () => {
    const admin = await dashboard();
    const bea = await dashboard(BEA.email, BEA.password);
    await presenceEntry(admin.page, BEA.name, 'online').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await bea.page.getByRole('radio', { name: 'Online', exact: true }).isChecked()).toBe(true);

    await bea.page.getByRole('radio', { name: 'Away', exact: true }).check();
    await presenceEntry(admin.page, BEA.name, 'away').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await presenceEntry(admin.page, BEA.name, 'away').textContent()).toContain(`${BEA.name} (away)`);

    await bea.page.reload();
    await bea.page.locator('[data-parley="agents-online"]').waitFor({ state: 'visible' });
    expect(await bea.page.getByRole('radio', { name: 'Away', exact: true }).isChecked(), 'the status is kept by the server').toBe(true);
    const later = await dashboard();
    await presenceEntry(later.page, BEA.name, 'away').waitFor({ state: 'visible', timeout: 5_000 });

    await bea.page.getByRole('radio', { name: 'Online', exact: true }).check();
    await presenceEntry(admin.page, BEA.name, 'online').waitFor({ state: 'visible', timeout: 5_000 });
    await presenceEntry(later.page, BEA.name, 'online').waitFor({ state: 'visible', timeout: 5_000 });
  });

  it('lets an admin set business hours and an away message that are there after a reload; problems show next to their fields', async () => {
    const { page } = await dashboard();
    await openSettings(page);
    const form = page.getByRole('form', { name: 'Chat settings' });

    await form.getByLabel('Open only during business hours', { exact: true }).check();
    await form.getByLabel('Time zone', { exact: true }).selectOption('America/New_York');
    await form.getByLabel('Monday closes', { exact: true }).fill('12:00');
    await button(page, 'Add hours on Monday').click();
    await form.getByLabel('Monday opens (2)', { exact: true }).fill('13:00');
    await form.getByLabel('Monday closes (2)', { exact: true }).fill('18:00');
    await button(page, 'Remove Friday hours').click();
    await form.getByLabel('Away message', { exact: true }).fill('We are back at nine. Leave your email and we will answer.');

    // A day that closes before it opens is caught before sending, next to its hours.
    const tuesdayCloses = form.getByLabel('Tuesday closes', { exact: true });
    await tuesdayCloses.fill('08:00');
    await button(page, 'Save').click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor({ state: 'visible' });
    expect(await describedError(page, tuesdayCloses)).toBe('Closes before it opens.');
    expect(await tuesdayCloses.getAttribute('aria-invalid')).toBe('true');
    await tuesdayCloses.fill('17:00');

    // One the server refuses is shown next to its field too.
    const away = form.getByLabel('Away message', { exact: true });
    await away.fill('x'.repeat(501));
    await button(page, 'Save').click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor({ state: 'visible' });
    expect(await describedError(page, away)).toBe('must be at most 500 characters');
    await away.fill('We are back at nine. Leave your email and we will answer.');

    await button(page, 'Save').click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor({ state: 'visible', timeout: 5_000 });

    await page.reload();
    await page.getByRole('form', { name: 'Chat settings' }).waitFor({ state: 'visible' });
    expect(await form.getByLabel('Open only during business hours', { exact: true }).isChecked()).toBe(true);
    expect(await form.getByLabel('Time zone', { exact: true }).inputValue()).toBe('America/New_York');
    const monday = [
      await form.getByLabel('Monday opens (1)', { exact: true }).inputValue(),
      await form.getByLabel('Monday closes (1)', { exact: true }).inputValue(),
      await form.getByLabel('Monday opens (2)', { exact: true }).inputValue(),
      await form.getByLabel('Monday closes (2)', { exact: true }).inputValue(),
    ];
    expect(monday).toEqual(['09:00', '12:00', '13:00', '18:00']);
    expect(await form.getByLabel('Tuesday closes', { exact: true }).inputValue()).toBe('17:00');
    expect(await page.locator('[data-parley="hours-day"][data-day="fri"]').textContent()).toContain('Closed');
    expect(await form.getByLabel('Away message', { exact: true }).inputValue()).toBe('We are back at nine. Leave your email and we will answer.');

    const config = (await (await fetch(`${parley().url}/api/chat/config`)).json()) as { away_message: string };
    expect(config.away_message, 'the widget is told the away message').toBe('We are back at nine. Leave your email and we will answer.');
  });

  it.each(SIZES)('lets an admin switch on automatic assignment with a limit per agent, kept after a reload; a limit out of range shows its error next to it (%s)', async (size, options) => {
    const admin = await pageIn(await context(options));
    const { page } = admin;
    await loginPage(admin, ADMIN.email, ADMIN.password);
    await dashboardShown(page);
    await clickTopBarLink(page, 'Chat settings');
    await page.waitForURL((url) => url.pathname === '/stratus/settings');
    const form = page.getByRole('form', { name: 'Chat settings' });
    const auto = form.getByLabel('Assign new conversations automatically (round robin over available agents)', { exact: true });
    const limit = form.getByLabel('Most open conversations per agent', { exact: true });
    await limit.waitFor({ state: 'visible' });
    await expectNoAxeViolations(page, { label: `dashboard Chat settings, automatic assignment, ${size}` });
    if (size === 'desktop') {
      // Every admin link, the search field and Log out fit on one line at 1280 px (docs/dashboard.md, "Presence and connection").
      const middle = async (name: string) => {
        const box = await page.locator('header.topbar').getByRole(name === 'Log out' ? 'button' : 'link', { name, exact: true }).boundingBox();
        return (box?.y ?? 0) + (box?.height ?? 0) / 2;
      };
      expect(Math.abs((await middle('Log out')) - (await middle('Parley'))), 'Log out is on the line of Parley').toBeLessThan(8);
      expect(await page.getByRole('link', { name: 'Canned responses', exact: true }).textContent(), 'the short text keeps the full name').toBe('Canned');
    }
    if (size === 'phone') {
      const heights = await Promise.all([auto.locator('xpath=..'), limit].map(async (target) => (await target.boundingBox())?.height ?? 0));
      expect(Math.min(...heights), 'the switch and the field are touch targets of 44 px').toBeGreaterThanOrEqual(44);
    }

    // The server refuses a limit out of range, and its answer shows under the field, which names it.
    await limit.fill('0');
    await button(page, 'Save').click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor({ state: 'visible' });
    const problem = page.locator('[data-parley="field-error"][data-field="max_open_per_agent"]');
    expect((await problem.textContent())?.trim()).toBe('must be at least 1');
    expect((await limit.getAttribute('aria-describedby'))?.split(' ')).toContain(await problem.getAttribute('id'));
    expect(await limit.getAttribute('aria-invalid')).toBe('true');
    const focusedId = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id);
    await expect.poll(focusedId, { message: 'focus moves to the field' }).toBe('settings-max-open');
    await expectNoAxeViolations(page, { label: `dashboard Chat settings, a limit out of range, ${size}` });

    const kept = size === 'desktop' ? '3' : '7';
    await auto.check();
    await limit.fill(kept);
    expect(await problem.count(), 'the problem goes once the field is edited').toBe(0);
    await button(page, 'Save').click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor({ state: 'visible', timeout: 5_000 });

    await page.reload();
    await limit.waitFor({ state: 'visible' });
    expect(await auto.isChecked()).toBe(true);
    expect(await limit.inputValue()).toBe(kept);
    const settings = (await (await fetch(`${parley().url}/api/agent/settings`, { headers: { cookie: await sessionCookie(page.context(), parley().url) } })).json()) as {
      settings: { auto_assign: boolean; max_open_per_agent: number };
    };
    expect(settings.settings).toMatchObject({ auto_assign: true, max_open_per_agent: Number(kept) });

    // Back to the default, so that no later test has its conversations assigned.
    await auto.uncheck();
    await button(page, 'Save').click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor({ state: 'visible', timeout: 5_000 });
  });

  it('tells an agent who is not an admin that only admins change the chat settings, and offers no link', async () => {
    const { page } = await dashboard(BEA.email, BEA.password);
    expect(await page.getByRole('link', { name: 'Chat settings', exact: true }).count()).toBe(0);
    await page.goto(`${parley().url}/stratus/settings`);
    await page.getByRole('alert').filter({ hasText: 'Only admins can change the chat settings.' }).waitFor({ state: 'visible' });
  });
});
