import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openWidget, skipWithoutChromium, widget } from './support/browser.js';
import { expectNoAxeViolations } from './support/axe.js';
import { dashboardSuite, DESKTOP, filter, row } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Automatic assignment (docs/dashboard.md, "Automatic assignment") with real dashboards: with
 * `auto_assign` on and two agents online in two dashboards, two new conversations go one to each
 * (round robin), each dashboard shows its own, and each visitor's widget names who answers.
 * Every screen checked passes axe at desktop and phone sizes.
 */

/** Parley's pages send `script-src 'self'`, which refuses the inline script carrying axe-core. */
const AXE_READY: BrowserContextOptions = { bypassCSP: true };
const PHONE: BrowserContextOptions = { ...AXE_READY, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'Europe/London' };
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, ...AXE_READY }],
  ['phone', PHONE],
];
/** The second visitor's device: another fingerprint, so the widget does not offer the first visitor's conversation. */
const OTHER_DEVICE: BrowserContextOptions = { ...AXE_READY, viewport: { width: 1440, height: 900 }, locale: 'fr-FR', timezoneId: 'America/New_York' };

const ALEX = { email: 'alex@e2e.test', name: 'Alex Agent', password: 'alex-e2e-password', role: 'agent' as const };

/** An admin's API session, for the settings and to read who has a conversation. */
async function adminApi(baseUrl: string) {
  const login = await fetch(`${baseUrl}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }) });
  const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('parley_session=')) ?? '').split(';')[0] as string;
  const headers = { cookie, 'x-csrf-token': ((await login.json()) as { csrf_token: string }).csrf_token, 'content-type': 'application/json' };
  return {
    settings: async (json: Record<string, unknown>) => {
      const res = await fetch(`${baseUrl}/api/agent/settings`, { method: 'PATCH', headers, body: JSON.stringify(json) });
      expect(res.status, await res.text()).toBe(200);
    },
    assignee: async (id: number): Promise<string | null> => {
      const res = await fetch(`${baseUrl}/api/agent/conversations/${id}`, { headers });
      return ((await res.json()) as { conversation: { agent: { name: string } | null } }).conversation.agent?.name ?? null;
    },
  };
}

describe.skipIf(skipWithoutChromium)('automatic assignment in the dashboard and the widget (Chromium)', { timeout: 120_000 }, () => {
  const { parley, context, pageIn, startChat, loginPage, dashboardShown } = dashboardSuite(async (server) => {
    await server.agent.createAgent(ALEX);
    await (await adminApi(server.url)).settings({ auto_assign: true });
  });

  /** An agent's dashboard in a browser of this size, logged in, inbox live (so online and connected). */
  async function dashboardAt(options: BrowserContextOptions, email: string, password: string): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, email, password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  /** Waits until the widget's config counts `n` agents connected. */
  async function agentsOnline(n: number): Promise<void> {
    await expect
      .poll(async () => ((await (await fetch(`${parley().url}/api/chat/config`)).json()) as { agents_online: number }).agents_online, { timeout: 10_000 })
      .toBe(n);
  }

  /** The inbox's "Mine" list shows `id` and its conversation view says who has it. */
  async function showsOwnAssignment(page: Page, id: number, name: string): Promise<void> {
    await filter(page, 'Mine').click();
    await row(page, id).waitFor({ state: 'visible' });
    await expect.poll(() => row(page, id).textContent()).toContain(name);
    await row(page, id).click();
    await page.getByText(`Assigned to ${name}`, { exact: false }).first().waitFor({ state: 'visible' });
  }

  it('names the agent in the waiting visitor\'s widget once an agent comes online and takes the conversation', async () => {
    const api = await adminApi(parley().url);
    await agentsOnline(0);
    const visitor = await pageIn(await context({ ...DESKTOP, ...AXE_READY }));
    await visitor.page.goto(`${parley().url}/`);
    await openWidget(visitor.page);
    const id = await startChat(visitor, 'Is anybody there?');
    expect(await api.assignee(id)).toBeNull();

    await dashboardAt({ ...DESKTOP, ...AXE_READY }, ALEX.email, ALEX.password);

    await widget(visitor.page).host.locator('h2.title', { hasText: ALEX.name }).waitFor({ state: 'visible' });
    expect(await api.assignee(id)).toBe(ALEX.name);
  });

  describe.each(SIZES)('at %s size', (size, options) => {
    it('hands two new conversations one to each agent online, and each visitor sees who answers', async () => {
      const api = await adminApi(parley().url);
      const admin = await dashboardAt(options, ADMIN.email, ADMIN.password);
      const alex = await dashboardAt(options, ALEX.email, ALEX.password);
      await agentsOnline(2);

      const first = await pageIn(await context(options));
      await first.page.goto(`${parley().url}/`);
      await openWidget(first.page);
      const firstId = await startChat(first, 'Hello, who is there?');
      const second = await pageIn(await context(OTHER_DEVICE));
      await second.page.goto(`${parley().url}/`);
      await openWidget(second.page);
      const secondId = await startChat(second, 'Good evening, a question');

      // Round robin: one each, whoever was first.
      const names = [await api.assignee(firstId), await api.assignee(secondId)];
      expect([...names].sort()).toEqual(['Admin', ALEX.name].sort());

      for (const [visitor, name] of [[first.page, names[0]], [second.page, names[1]]] as const) {
        await widget(visitor).host.locator('h2.title', { hasText: name as string }).waitFor({ state: 'visible' });
      }
      await expectNoAxeViolations(first.page, { label: `widget naming the assigned agent, ${size}`, include: '#parley-widget' });

      const mineOf = (name: string) => (names[0] === name ? firstId : secondId);
      await showsOwnAssignment(admin, mineOf('Admin'), 'Admin');
      await showsOwnAssignment(alex, mineOf(ALEX.name), ALEX.name);
      await expectNoAxeViolations(admin, { label: `dashboard, conversation assigned automatically, ${size}` });
      await expectNoAxeViolations(alex, { label: `second agent's dashboard, conversation assigned automatically, ${size}` });
    });
  });
});
