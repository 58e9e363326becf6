import type { BrowserContextOptions } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { skipWithoutChromium } from './support/browser.js';
import { button, dashboardSuite, DESKTOP } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * API tokens end to end (docs/dashboard.md, "API tokens"): an admin creates a token, copies it
 * once, sees when it was last used and revokes it; axe at desktop and phone sizes.
 */

// axe-core is injected into the page: only the browsers whose pages are checked bypass the CSP.
const AXE_DESKTOP: BrowserContextOptions = { ...DESKTOP, bypassCSP: true };
const AXE_PHONE: BrowserContextOptions = { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

describe.skipIf(skipWithoutChromium)('API tokens, in Chromium', { timeout: 90_000 }, () => {
  const { parley, context, pageIn, loginPage, dashboardShown } = dashboardSuite();

  it.each([
    ['desktop', AXE_DESKTOP],
    ['phone', AXE_PHONE],
  ] as const)('an admin creates a token shown once, copies it, sees its last use and revokes it (%s)', async (size, options) => {
    const name = `CRM sync ${size}`;
    const browser = await context(options);
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: parley().url });
    const agentPage = await pageIn(browser);
    await loginPage(agentPage, ADMIN.email, ADMIN.password);
    const page = agentPage.page;
    await dashboardShown(page);
    await page.goto(`${parley().url}/stratus/tokens`);
    await page.getByRole('heading', { name: 'API tokens', exact: true }).waitFor({ state: 'visible' });
    await expectNoAxeViolations(page, { label: `dashboard API tokens page, ${size}` });

    // Create: a name, the write scope besides read, an expiry date.
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Write: what an agent may do').check();
    await page.getByLabel('Expires on (optional)').fill('2099-12-31');
    await button(page, 'Create token').click();
    const shown = page.locator('[data-parley="new-token"]');
    await shown.waitFor({ state: 'visible' });
    const token = await shown.inputValue();
    expect(token).toMatch(/^parley_pat_[A-Za-z0-9_-]{43}$/);
    await expectNoAxeViolations(page, { label: `dashboard API tokens, a new token shown, ${size}` });

    await button(page, 'Copy').click();
    await page.getByRole('status').filter({ hasText: 'Token copied.' }).waitFor({ state: 'attached' });
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(token);

    // The token works on the agent API without a cookie.
    const used = await fetch(`${parley().url}/api/agent/conversations`, { headers: { authorization: `Bearer ${token}` } });
    expect(used.status).toBe(200);

    // Shown once: after a reload only its name, scopes and last use remain.
    await page.reload();
    const item = page.locator('[data-parley="api-token"]', { hasText: name });
    await item.waitFor({ state: 'visible' });
    expect(await page.locator('[data-parley="new-token"]').count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('read, write');
    expect(text).not.toContain('last used never');

    // Revoke, after a confirmation.
    await page.getByRole('button', { name: `Revoke token ${name}`, exact: true }).click();
    await expectNoAxeViolations(page, { label: `dashboard API tokens, confirming a revocation, ${size}` });
    await button(page, `Revoke ${name}`).click();
    await item.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: `Token ${name} revoked.` }).waitFor({ state: 'attached' });
    const refused = await fetch(`${parley().url}/api/agent/conversations`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
  });
});
