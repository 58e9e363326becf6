import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { isFocused, skipWithoutChromium } from './support/browser.js';
import { dashboardSuite, DESKTOP } from './support/dashboard.js';

/**
 * Search (docs/dashboard.md, "Search") in Debian's Chromium at desktop and phone sizes: a word of
 * an old, closed conversation typed in the top bar finds it, and the result, opened from the
 * keyboard, shows the conversation scrolled to the matched message, marked and focused.
 */

/** Parley's CSP refuses the inline script that carries axe-core: the checked browsers bypass it. */
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, bypassCSP: true }],
  ['phone', { bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'Europe/London' }],
];

describe.skipIf(skipWithoutChromium)('agent dashboard: search, in Chromium', { timeout: 120_000 }, () => {
  const { parley, context, pageIn, customer, startChat, loginPage, dashboardShown } = dashboardSuite();

  async function dashboardAt(options: BrowserContextOptions): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, 'admin@e2e.test', 'e2e-admin-password');
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  for (const [size, options] of SIZES) {
    it(`finds a closed conversation by a word of a message and opens it at that message, from the keyboard (${size})`, async () => {
      const word = `heliotrope${size}`;
      const visitor = await customer();
      const id = await startChat(visitor, `The ${word} vase arrived cracked`);
      // Enough later replies that the matched message is far above the newest one.
      for (let i = 1; i <= 14; i++) await parley().agent.reply(id, `Reply ${i}: ${'we are looking into it, thank you for your patience. '.repeat(3)}`);
      await parley().agent.close(id);
      const matched = (await parley().agent.transcript(id)).find((m) => m.body.includes(word));
      expect(matched).toBeDefined();

      const page = await dashboardAt(options);
      const field = page.getByRole('searchbox', { name: 'Search conversations' });
      await field.fill(word);
      await field.press('Enter');
      await page.waitForURL((url) => url.pathname === '/stratus/search' && url.searchParams.get('q') === word);
      const result = page.locator('[data-parley="search-result"]');
      await result.first().waitFor({ state: 'visible' });
      expect(await result.count()).toBe(1);
      expect(await result.locator('mark').allTextContents()).toEqual([word]);
      await expectNoAxeViolations(page, { label: `search results (${size})` });

      await result.first().focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === `/stratus/conversations/${id}` && url.searchParams.get('message') === String(matched?.id));
      const found = page.locator(`[data-parley="message"][data-message-id="${matched?.id}"]`);
      await page.locator('[data-parley="message"].found').waitFor({ state: 'visible' });
      expect(await found.getAttribute('class')).toContain('found');
      expect(await isFocused(found)).toBe(true);
      // In view: the transcript was scrolled to it, not left at the newest reply.
      const [box, log] = await Promise.all([found.boundingBox(), page.locator('[data-parley="transcript"]').boundingBox()]);
      expect(box && log && box.y >= log.y && box.y + box.height <= log.y + log.height + 1).toBe(true);
      await expectNoAxeViolations(page, { label: `conversation opened from search (${size})` });
    });
  }
});
