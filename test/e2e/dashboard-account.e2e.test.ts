import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { skipWithoutChromium } from './support/browser.js';
import { button, dashboardSuite, loginAlert, sessionCookie } from './support/dashboard.js';

/**
 * An agent's own account in the dashboard (docs/dashboard.md, "Your account"): changing their
 * password and logging out everywhere, in Debian's Chromium, clicked as a person would.
 */

const account = (first: string) => ({ email: `${first.toLowerCase()}@e2e.test`, name: `${first} Agent`, password: `${first.toLowerCase()}-e2e-password`, role: 'agent' as const });

async function openAccountPage(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/stratus/account');
  await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor({ state: 'visible' });
}

const onLoginPage = async (page: Page) => {
  await page.waitForURL((url) => url.pathname === '/stratus/login', { timeout: 10_000 });
  await page.getByLabel('Email', { exact: true }).waitFor({ state: 'visible' });
};

describe.skipIf(skipWithoutChromium)('agent dashboard: your account, in Chromium', { timeout: 60_000 }, () => {
  const { parley, context, pageIn, loginPage, dashboardShown, dashboard } = dashboardSuite();
  const statusWith = async (cookie: string, path: string) => (await fetch(`${parley().url}${path}`, { headers: { cookie } })).status;

  it('changes the password on the Account page: this browser stays in, the other session ends, the new password logs in', async () => {
    const kim = account('Kim');
    const newPassword = 'kim-new-e2e-password';
    await parley().agent.createAgent(kim);
    const elsewhere = await dashboard(kim.email, kim.password);
    const elsewhereCookie = await sessionCookie(elsewhere.page.context(), parley().url);
    const here = await dashboard(kim.email, kim.password);
    const hereCookie = await sessionCookie(here.page.context(), parley().url);

    await openAccountPage(here.page);
    const form = here.page.getByRole('form', { name: 'Change your password' });
    await form.getByLabel('Current password', { exact: true }).fill(kim.password);
    await form.getByLabel('New password', { exact: true }).fill(newPassword);
    await form.getByLabel('Confirm new password', { exact: true }).fill(newPassword);
    await button(here.page, 'Change password').click();
    await here.page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor({ state: 'visible', timeout: 5_000 });

    expect(await statusWith(hereCookie, '/api/agent/me'), 'this session').toBe(200);
    expect(await statusWith(elsewhereCookie, '/api/agent/me'), 'the other session').toBe(401);

    const later = await pageIn(await context());
    await loginPage(later, kim.email, kim.password);
    await expect.poll(() => loginAlert(later.page), { timeout: 5_000 }).toBe('The email or password is wrong.');
    await loginPage(later, kim.email, newPassword);
    await dashboardShown(later.page);
  });

  it('refuses a wrong current password with an alert that names it', async () => {
    const pat = account('Pat');
    await parley().agent.createAgent(pat);
    const { page } = await dashboard(pat.email, pat.password);
    await openAccountPage(page);
    const form = page.getByRole('form', { name: 'Change your password' });
    await form.getByLabel('Current password', { exact: true }).fill('not-my-password');
    await form.getByLabel('New password', { exact: true }).fill('pat-new-e2e-password');
    await form.getByLabel('Confirm new password', { exact: true }).fill('pat-new-e2e-password');
    await button(page, 'Change password').click();
    await page.getByRole('alert').filter({ hasText: 'current password is wrong' }).waitFor({ state: 'visible', timeout: 5_000 });
  });

  it('logs out everywhere: both browsers end up on the login page and both session cookies are refused', async () => {
    const sky = account('Sky');
    await parley().agent.createAgent(sky);
    const elsewhere = await dashboard(sky.email, sky.password);
    const here = await dashboard(sky.email, sky.password);
    const cookies = [await sessionCookie(elsewhere.page.context(), parley().url), await sessionCookie(here.page.context(), parley().url)];

    await openAccountPage(here.page);
    const confirmation = here.expectDialog();
    await button(here.page, 'Log out everywhere').click();
    expect((await confirmation).type()).toBe('confirm');
    await onLoginPage(here.page);
    for (const cookie of cookies) expect(await statusWith(cookie, '/api/agent/me')).toBe(401);
  });
});
