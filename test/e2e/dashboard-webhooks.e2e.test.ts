import type { BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatWebhookReceiver, verifySignature } from '../support/chat-webhook-receiver.js';
import { expectNoAxeViolations } from './support/axe.js';
import { skipWithoutChromium } from './support/browser.js';
import { button, dashboardSuite, DESKTOP } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Webhooks end to end (docs/webhooks.md): an admin registers an endpoint with chosen events, sees
 * its secret, watches a refused delivery in the log with its status code, redelivers it, and
 * disables and re-enables the endpoint; axe at desktop and phone sizes.
 */

const AXE_DESKTOP: BrowserContextOptions = { ...DESKTOP, bypassCSP: true };
const AXE_PHONE: BrowserContextOptions = { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

describe.skipIf(skipWithoutChromium)('webhooks, in Chromium', { timeout: 90_000 }, () => {
  const { parley, context, pageIn, loginPage, dashboardShown } = dashboardSuite();
  const receiver = new ChatWebhookReceiver();
  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it.each([
    ['desktop', AXE_DESKTOP],
    ['phone', AXE_PHONE],
  ] as const)('an admin registers an endpoint, reads the delivery log, redelivers and re-enables it (%s)', async (size, options) => {
    const url = `${receiver.url}/${size}`;
    const browser = await context(options);
    const agentPage = await pageIn(browser);
    await loginPage(agentPage, ADMIN.email, ADMIN.password);
    const page = agentPage.page;
    await dashboardShown(page);
    await page.goto(`${parley().url}/stratus/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor({ state: 'visible' });
    await expectNoAxeViolations(page, { label: `dashboard webhooks page, ${size}` });

    // Register: only conversation.started.
    await page.getByLabel('URL', { exact: true }).fill(url);
    for (const event of ['message.created', 'conversation.assigned', 'conversation.closed', 'rating.created']) await page.getByLabel(event, { exact: true }).uncheck();
    await button(page, 'Add endpoint').click();
    const item = page.locator('[data-parley="webhook"]', { hasText: url });
    await item.waitFor({ state: 'visible' });
    const secret = await item.locator('[data-parley="webhook-secret"]').inputValue();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);

    // The endpoint refuses the first delivery.
    const path = new URL(url).pathname;
    const mine = () => receiver.received.filter((w) => w.path === path);
    receiver.answer = (w) => (w.path === path && mine().length === 0 ? 500 : 200);
    const started = await fetch(`${parley().url}/api/chat/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: `Hello from ${size}`, client_message_id: `wh-${size}`, fingerprint: `fp-webhook-${size}-0123456789abcdef` }),
    });
    expect(started.status).toBe(201);
    await receiver.until(`the first delivery to ${path}`, () => mine().length >= 1);
    const refused = mine()[0]!;
    expect(refused.payload.event).toBe('conversation.started');
    expect(verifySignature(secret, refused.headers['x-parley-signature'] as string, refused.body, Math.floor(Date.now() / 1000))).toBe(true);

    await page.getByRole('button', { name: `Deliveries of ${url}`, exact: true }).click();
    const rows = item.locator('[data-parley="webhook-delivery"]');
    await rows.first().waitFor({ state: 'visible' });
    expect(await rows.first().textContent()).toContain('500');
    await expectNoAxeViolations(page, { label: `dashboard webhooks, the delivery log, ${size}` });

    // Redeliver it now (the retry would come after 30 s): the same line, delivered with 200.
    await item.getByRole('button', { name: /^Redeliver conversation\.started delivery/ }).first().click();
    await receiver.until(`the redelivery to ${path}`, () => mine().length >= 2);
    expect(mine()[1]!.payload.id).toBe(refused.payload.id);
    await page.getByRole('status').filter({ hasText: /queued again/ }).waitFor({ state: 'attached' });
    for (let i = 0; i < 20 && (await item.locator('[data-parley="webhook-delivery"][data-status="delivered"]').count()) === 0; i++) {
      await Promise.all([page.waitForResponse((r) => r.url().includes(`/deliveries`)), item.getByRole('button', { name: 'Refresh', exact: true }).click()]);
    }
    expect(await item.locator('[data-parley="webhook-delivery"][data-status="delivered"]').first().textContent()).toContain('200');

    // Disable, then re-enable.
    await page.getByRole('button', { name: `Disable ${url}`, exact: true }).click();
    await item.locator('[data-parley="webhook-state"]', { hasText: 'Disabled' }).waitFor({ state: 'visible' });
    await expectNoAxeViolations(page, { label: `dashboard webhooks, a disabled endpoint, ${size}` });
    await page.getByRole('button', { name: `Re-enable ${url}`, exact: true }).click();
    await item.locator('[data-parley="webhook-state"]', { hasText: 'Active' }).waitFor({ state: 'visible' });

    // Delete after a confirmation.
    await page.getByRole('button', { name: `Delete endpoint ${url}`, exact: true }).click();
    await button(page, `Delete ${url}`).click();
    await item.waitFor({ state: 'detached' });
  });
});
