import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { openWidget, skipWithoutChromium, widget } from './support/browser.js';
import { button, dashboardSuite, DESKTOP, row } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Labels and ratings end to end (docs/dashboard.md, "Labels" and "Ratings"; docs/widget.md,
 * "Rating card"): the real `parley start` and Debian's Chromium, clicked as a person would, with
 * axe at desktop and phone sizes.
 */

const BEA = { email: 'bea.labels@e2e.test', name: 'Bea Labels', password: 'bea-labels-e2e-password', role: 'agent' as const };

// axe-core is injected into the page: only the browsers whose pages are checked bypass the CSP.
const AXE_DESKTOP: BrowserContextOptions = { ...DESKTOP, bypassCSP: true };
const AXE_PHONE: BrowserContextOptions = { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

describe.skipIf(skipWithoutChromium)('labels and ratings, in Chromium', { timeout: 90_000 }, () => {
  const { parley, context, pageIn, startChat, loginPage, dashboardShown } = dashboardSuite(async (server) => {
    await server.agent.createAgent(BEA);
  });

  async function dashboardAt(options: BrowserContextOptions, email = ADMIN.email, password = ADMIN.password): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, email, password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  async function createLabel(page: Page, name: string): Promise<void> {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await button(page, 'Create label').click();
    await page.locator('[data-parley="label-list"] [data-parley="label"]', { hasText: name }).waitFor({ state: 'visible' });
  }

  it.each([
    ['desktop', AXE_DESKTOP],
    ['phone', AXE_PHONE],
  ] as const)('an admin creates a label, an agent applies it and filters the inbox by it; the visitor rates the closed conversation and the agent sees the rating (%s)', async (size, options) => {
    const suffix = size === 'phone' ? ' (phone)' : '';
    const billing = `Billing${suffix}`;
    const other = `Other${suffix}`;

    // An admin creates two labels on the Labels page.
    const admin = await dashboardAt(options);
    await admin.goto(`${parley().url}/stratus/labels`);
    await admin.getByRole('heading', { name: 'Labels', exact: true }).waitFor({ state: 'visible' });
    await createLabel(admin, billing);
    await createLabel(admin, other);
    await expectNoAxeViolations(admin, { label: `dashboard Labels page, ${size}` });

    // A visitor starts a conversation; an agent applies the label from the visitor panel.
    const visitor = await pageIn(await context(options));
    await visitor.page.goto(`${parley().url}/`);
    await openWidget(visitor.page);
    const id = await startChat(visitor, `My invoice is wrong${suffix}`);

    const bea = await dashboardAt(options, BEA.email, BEA.password);
    await bea.goto(`${parley().url}/stratus/conversations/${id}/visitor`);
    const editor = bea.locator('[data-parley="label-editor"]');
    await editor.getByRole('checkbox', { name: billing, exact: true }).check();
    await expectNoAxeViolations(bea, { label: `dashboard label editor, ${size}` });
    await bea.goto(`${parley().url}/stratus/conversations/${id}`);
    const head = bea.locator('.conversation-head');
    await head.locator('[data-parley="label"]', { hasText: billing }).waitFor({ state: 'visible', timeout: 5_000 });

    // The inbox filter shows the conversation under its label, not under another.
    await bea.goto(`${parley().url}/stratus`);
    await row(bea, id).locator('[data-parley="label"]', { hasText: billing }).waitFor({ state: 'visible', timeout: 5_000 });
    await bea.getByLabel('Label', { exact: true }).selectOption(billing);
    await row(bea, id).waitFor({ state: 'visible' });
    await expectNoAxeViolations(bea, { label: `dashboard inbox filtered by a label, ${size}` });
    await bea.getByLabel('Label', { exact: true }).selectOption(other);
    await row(bea, id).waitFor({ state: 'detached' });
    await bea.getByLabel('Label', { exact: true }).selectOption('');
    await row(bea, id).waitFor({ state: 'visible' });

    // The conversation closes: the widget asks for a rating, the visitor gives four stars.
    await parley().agent.close(id);
    const card = widget(visitor.page).host.locator('[data-parley="rating"]');
    await card.waitFor({ state: 'visible', timeout: 5_000 });
    await card.getByRole('radiogroup', { name: 'How was this conversation?' }).waitFor({ state: 'visible' });
    await expectNoAxeViolations(visitor.page, { label: `widget rating card, ${size}`, include: '#parley-widget' });
    await card.getByRole('radio', { name: '4 stars', exact: true }).check();
    await card.getByLabel('Anything to add? (optional)').fill('Sorted quickly.');
    await card.getByRole('button', { name: 'Send rating', exact: true }).click();
    await card.getByText('Thank you for your rating!').waitFor({ state: 'visible', timeout: 5_000 });
    await expectNoAxeViolations(visitor.page, { label: `widget rating thanks, ${size}`, include: '#parley-widget' });

    // The agent sees it on the conversation, live.
    await bea.goto(`${parley().url}/stratus/conversations/${id}`);
    const rating = bea.locator('[data-parley="rating"]');
    await rating.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await rating.textContent()).toContain('4 stars');
    expect(await rating.textContent()).toContain('Sorted quickly.');
    await expectNoAxeViolations(bea, { label: `dashboard conversation with labels and a rating, ${size}` });

    // The admin's Ratings report lists the agent credited (nobody was assigned: the rating is nobody's).
    await admin.goto(`${parley().url}/stratus/ratings`);
    await admin.locator('[data-parley="ratings-report"]').waitFor({ state: 'visible', timeout: 5_000 });
    await expectNoAxeViolations(admin, { label: `dashboard Ratings report, ${size}` });
  });
});
