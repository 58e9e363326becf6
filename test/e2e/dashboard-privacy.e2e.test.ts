import type { BrowserContextOptions } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { skipWithoutChromium } from './support/browser.js';
import { button, dashboardSuite, DESKTOP } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * The Privacy page (docs/privacy.md, "Export and erasure"): an admin finds a visitor by email,
 * downloads the export, and erases them after typing the confirmation; axe at desktop and phone.
 */

// axe-core is injected into the page: only the browsers whose pages are checked bypass the CSP.
const AXE_DESKTOP: BrowserContextOptions = { ...DESKTOP, bypassCSP: true };
const AXE_PHONE: BrowserContextOptions = { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

describe.skipIf(skipWithoutChromium)('privacy page, in Chromium', { timeout: 90_000 }, () => {
  const { parley, context, pageIn, loginPage, dashboardShown } = dashboardSuite();

  it.each([
    ['desktop', AXE_DESKTOP],
    ['phone', AXE_PHONE],
  ] as const)('an admin finds a visitor, downloads the export and erases them (%s)', async (size, options) => {
    const email = `mia.${size}@example.test`;
    const started = await fetch(`${parley().url}/api/chat/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fingerprint: `${size}`.padEnd(64, '0'), email, name: 'Mia', message: 'Please delete my data' }),
    });
    expect(started.status).toBe(201);

    const browser = await context(options);
    const agentPage = await pageIn(browser);
    await loginPage(agentPage, ADMIN.email, ADMIN.password);
    const page = agentPage.page;
    await dashboardShown(page);
    await page.goto(`${parley().url}/stratus/privacy`);
    await page.getByRole('heading', { name: 'Privacy', exact: true }).waitFor({ state: 'visible' });
    await expectNoAxeViolations(page, { label: `dashboard privacy page, ${size}` });

    await page.getByLabel('Email', { exact: true }).first().check();
    await page.locator('#privacy-value').fill(email.toUpperCase());
    await button(page, 'Find').click();
    const found = page.locator('[data-parley="privacy-found"]');
    await found.waitFor({ state: 'visible' });
    expect(await found.textContent()).toContain('1 conversation(s)');
    await expectNoAxeViolations(page, { label: `dashboard privacy page, a visitor found, ${size}` });

    const [download] = await Promise.all([page.waitForEvent('download'), button(page, 'Download JSON').click()]);
    expect(download.suggestedFilename()).toBe('parley-visitor-export.json');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const data = JSON.parse(readFileSync(path, 'utf8')) as { tables: { messages: { body: string }[] } };
    expect(data.tables.messages.map((m) => m.body)).toContain('Please delete my data');

    const erase = button(page, 'Erase this visitor');
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Confirmation').fill('erase');
    await erase.click();
    await page.locator('[data-parley="privacy-status"]').filter({ hasText: 'Erased 1 conversation(s), 1 message(s) and 0 file(s).' }).waitFor({ state: 'attached' });
    await found.waitFor({ state: 'detached' });

    await button(page, 'Find').click();
    await page.locator('[data-parley="privacy-status"]').filter({ hasText: 'Found 0 conversation(s).' }).waitFor({ state: 'attached' });
  });
});
