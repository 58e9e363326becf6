import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { skipWithoutChromium } from './support/browser.js';
import { button, dashboardSuite } from './support/dashboard.js';

/**
 * Availability in the agent dashboard end to end (docs/dashboard.md, "Your status" and "Chat
 * settings"): the real `parley start` and Debian's Chromium, clicked as a person would.
 */

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
  const { parley, dashboard } = dashboardSuite(async (server) => {
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

  it('tells an agent who is not an admin that only admins change the chat settings, and offers no link', async () => {
    const { page } = await dashboard(BEA.email, BEA.password);
    expect(await page.getByRole('link', { name: 'Chat settings', exact: true }).count()).toBe(0);
    await page.goto(`${parley().url}/stratus/settings`);
    await page.getByRole('alert').filter({ hasText: 'Only admins can change the chat settings.' }).waitFor({ state: 'visible' });
  });
});
