import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { skipWithoutChromium } from './support/browser.js';
import { button, dashboardSuite, DESKTOP, replyBox, row, transcriptMessage } from './support/dashboard.js';
import { ADMIN } from './support/server.js';
import { ROOT } from '../support/process.js';

/**
 * The dashboard on a phone (docs/dashboard.md, "On a phone"): one pane at a time (inbox,
 * conversation, visitor info) with Back controls that agree with the browser's Back, touch targets
 * of at least 44 × 44 px, no sideways scrolling, and no axe-core violations in any pane. With
 * `PHONE_SCREENSHOTS=docs/img` the panes and the desktop layout are saved there for the docs.
 */

/** `bypassCSP` only so that axe-core can be injected (test/e2e/accessibility.e2e.test.ts says why). */
const PHONE: BrowserContextOptions = { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const WIDE: BrowserContextOptions = { ...DESKTOP, bypassCSP: true };

/** Each test's visitor on a device of its own (another fingerprint), so no earlier chat is offered to it. */
const visitorDevice = (n: number): BrowserContextOptions => ({ ...DESKTOP, viewport: { width: 1280 + 16 * n, height: 800 } });
const backTo = (page: Page, where: string) => page.getByRole('button', { name: `Back to ${where}`, exact: true });
const inbox = (page: Page) => page.getByRole('navigation', { name: 'Inbox', exact: true });
const visitorPanel = (page: Page) => page.locator('[data-parley="visitor-panel"]');

async function screenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.PHONE_SCREENSHOTS;
  if (folder === undefined || folder === '') return;
  const dir = join(ROOT, folder);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name) });
}

/**
 * Every control on screen smaller than 44 × 44 px, as "tag "name" w×h". A checkbox or radio counts
 * by its label (what a finger touches); links inside a message's text are exempt, as WCAG 2.5.5
 * exempts links within a sentence; what is off screen (the skip link until focused) is not shown.
 */
async function smallTouchTargets(page: Page): Promise<string[]> {
  return page.locator('button, a[href], input, select, textarea').evaluateAll((elements) => {
    const view = globalThis as unknown as { innerWidth: number; innerHeight: number; getComputedStyle(e: unknown): { visibility: string } };
    const small: string[] = [];
    for (const element of elements) {
      if (element.closest('.message .text')) continue;
      const label = element.matches('input[type="checkbox"], input[type="radio"]') ? element.closest('label') : null;
      const target = label ?? element;
      const box = target.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || view.getComputedStyle(target).visibility === 'hidden') continue;
      if (box.right <= 0 || box.bottom <= 0 || box.left >= view.innerWidth || box.top >= view.innerHeight) continue;
      if (box.width >= 44 && box.height >= 44) continue;
      const name = (target.getAttribute('aria-label') ?? target.textContent ?? '').trim().slice(0, 40);
      small.push(`${target.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
    return small;
  });
}

/** The page's width beyond the viewport's: 0 when nothing scrolls sideways. */
const scrollWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

/** Whether the focused element matches `selector` (polled: focus moves once the pane is drawn). */
const focused = (page: Page, selector: string) =>
  expect.poll(() => page.evaluate((s) => (globalThis as unknown as { document: { activeElement: { matches(s: string): boolean } | null } }).document.activeElement?.matches(s) ?? false, selector));

/** The checks every pane passes on a phone. */
async function expectPhoneFriendly(page: Page, pane: string): Promise<void> {
  expect(await scrollWidth(page), `no sideways scrolling in the ${pane}`).toBeLessThanOrEqual(390);
  expect(await smallTouchTargets(page), `controls under 44 × 44 px in the ${pane}`).toEqual([]);
  await expectNoAxeViolations(page, { label: `dashboard ${pane}, phone` });
}

describe.skipIf(skipWithoutChromium)('the dashboard on a 390 px phone', { timeout: 90_000 }, () => {
  const { context, pageIn, customer, startChat, loginPage, dashboardShown } = dashboardSuite();

  async function phoneDashboard(options: BrowserContextOptions = PHONE): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, ADMIN.email, ADMIN.password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  it('shows one pane at a time, inbox → conversation → visitor info, and Back returns through them', async () => {
    const visitor = await customer(visitorDevice(1));
    const id = await startChat(visitor, 'Can I change my delivery address?');
    const page = await phoneDashboard();

    await row(page, id).waitFor({ state: 'visible' });
    expect(await replyBox(page).isVisible(), 'no reply box beside the inbox').toBe(false);
    await expectPhoneFriendly(page, 'inbox');
    await screenshot(page, 'dashboard-phone-inbox.png');

    await button(page, 'Menu').click();
    await page.getByRole('button', { name: 'Log out', exact: true }).waitFor({ state: 'visible' });
    expect(await button(page, 'Menu').getAttribute('aria-expanded')).toBe('true');
    await expectPhoneFriendly(page, 'inbox with the menu open');
    await button(page, 'Menu').click();
    await page.getByRole('button', { name: 'Log out', exact: true }).waitFor({ state: 'hidden' });

    await row(page, id).click();
    await page.waitForURL((url) => url.pathname === `/stratus/conversations/${id}`);
    await transcriptMessage(page, 'visitor', 'Can I change my delivery address?').waitFor({ state: 'visible' });
    await inbox(page).waitFor({ state: 'hidden' });
    await backTo(page, 'inbox').waitFor({ state: 'visible' });
    expect((await replyBox(page).boundingBox())?.width ?? 0, 'the reply box width').toBeGreaterThanOrEqual(300);
    await expectPhoneFriendly(page, 'conversation');
    await screenshot(page, 'dashboard-phone-conversation.png');

    await button(page, 'Visitor info').click();
    await page.waitForURL((url) => url.pathname === `/stratus/conversations/${id}/visitor`);
    await visitorPanel(page).waitFor({ state: 'visible' });
    await replyBox(page).waitFor({ state: 'hidden' });
    await focused(page, '.visitor-panel [data-parley="pane-back"]').toBe(true);
    await expectPhoneFriendly(page, 'visitor info');

    await backTo(page, 'conversation').click();
    await page.waitForURL((url) => url.pathname === `/stratus/conversations/${id}`);
    await replyBox(page).waitFor({ state: 'visible' });
    await backTo(page, 'inbox').click();
    await page.waitForURL((url) => url.pathname === '/stratus');
    await row(page, id).waitFor({ state: 'visible' });
    await replyBox(page).waitFor({ state: 'hidden' });
    // Focus returns to the row that was open, not to the page's body.
    await focused(page, `[data-parley="conversation"][data-conversation-id="${id}"]`).toBe(true);
  });

  it("the browser's Back and Forward move through the same panes", async () => {
    const visitor = await customer(visitorDevice(2));
    const id = await startChat(visitor, 'Is the shop open on Sunday?');
    const page = await phoneDashboard();

    await row(page, id).click();
    await replyBox(page).waitFor({ state: 'visible' });
    await button(page, 'Visitor info').click();
    await visitorPanel(page).waitFor({ state: 'visible' });

    await page.goBack();
    expect(new URL(page.url()).pathname).toBe(`/stratus/conversations/${id}`);
    await replyBox(page).waitFor({ state: 'visible' });
    await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/stratus');
    await row(page, id).waitFor({ state: 'visible' });
    await page.goForward();
    await replyBox(page).waitFor({ state: 'visible' });
    // Back after Forward pops the history again instead of stacking a new inbox entry.
    await backTo(page, 'inbox').click();
    await page.waitForURL((url) => url.pathname === '/stratus');
    await page.goForward();
    await page.waitForURL((url) => url.pathname === `/stratus/conversations/${id}`);
  });

  it('a visitor info address opened directly goes back to its conversation, then the inbox', async () => {
    const visitor = await customer(visitorDevice(3));
    const id = await startChat(visitor, 'Do you ship to Norway?');
    const page = await phoneDashboard();
    await page.goto(page.url().replace(/\/stratus.*$/, `/stratus/conversations/${id}/visitor`));
    await visitorPanel(page).waitFor({ state: 'visible' });
    await backTo(page, 'conversation').click();
    await replyBox(page).waitFor({ state: 'visible' });
    await backTo(page, 'inbox').click();
    await row(page, id).waitFor({ state: 'visible' });
  });

  it('keeps the three columns on a desktop, without the phone controls', async () => {
    const visitor = await customer(visitorDevice(4));
    const id = await startChat(visitor, 'Hello from the desktop check');
    await visitor.page.locator('[data-parley="composer"]').waitFor({ state: 'visible' });
    const page = await phoneDashboard(WIDE);
    await row(page, id).click();
    await transcriptMessage(page, 'visitor', 'Hello from the desktop check').waitFor({ state: 'visible' });
    await inbox(page).waitFor({ state: 'visible' });
    await visitorPanel(page).waitFor({ state: 'visible' });
    for (const name of ['Menu', 'Visitor info', 'Back to inbox']) {
      expect(await page.getByRole('button', { name, exact: true }).isVisible(), name).toBe(false);
    }
    await page.getByRole('link', { name: 'Account', exact: true }).waitFor({ state: 'visible' });
    await expectNoAxeViolations(page, { label: 'dashboard conversation, desktop' });
    await screenshot(page, 'dashboard-desktop.png');
  });
});
