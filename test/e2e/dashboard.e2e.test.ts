import type { BrowserContextOptions, Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { conversationId, send, skipWithoutChromium, type TestPage, waitForMessage, widget } from './support/browser.js';
import { button, dashboardSuite, filter, loginAlert, replyBox, row, sessionCookie, shownText, transcriptMessage } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * The agent dashboard at `/stratus` end to end (issue 5, "Done when"): the real `parley start`,
 * Debian's Chromium, a customer's widget and one or two agents' dashboards side by side, each in
 * its own browser context and driven as a person would. Waits are bounded; nothing sleeps.
 */

/** A second, non-admin agent the admin creates through the admin API. */
const SAM = { email: 'sam@e2e.test', name: 'Sam Agent', password: 'sam-e2e-password', role: 'agent' as const };

/** Another device on the same network: a different fingerprint (screen, language, timezone). */
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, locale: 'fr-FR', timezoneId: 'America/New_York' };

/** What a dashboard transcript shows, top to bottom. */
interface TranscriptEntry {
  seq: number | null;
  sender: string | null;
  text: string;
}

const transcriptMessages = (page: Page) => page.locator('[data-parley="transcript"] [data-parley="message"]');
const banner = (page: Page) => page.locator('[data-parley="connection-banner"]');

async function transcript(page: Page): Promise<TranscriptEntry[]> {
  return transcriptMessages(page).evaluateAll((elements) =>
    elements.map((el) => {
      const seq = el.getAttribute('data-seq');
      return { seq: seq === null || seq === '' ? null : Number(seq), sender: el.getAttribute('data-sender'), text: el.textContent ?? '' };
    }),
  );
}

describe.skipIf(skipWithoutChromium)('agent dashboard in Chromium', { timeout: 60_000 }, () => {
  const { parley, context, pageIn, customer, startChat, loginPage, dashboard, openConversation } = dashboardSuite(async (server) => {
    await server.agent.createAgent(SAM);
  });

  /** Bodies the dashboard logged with `Agent received message:` (the message object's body) from `from` on. */
  async function loggedBodies(agentPage: TestPage, from: number): Promise<string[]> {
    const logged = agentPage.console.slice(from).filter((m) => m.text().startsWith('Agent received message:'));
    const values = await Promise.all(logged.map((m) => m.args()[1]?.jsonValue().catch(() => undefined) as Promise<{ body?: string } | undefined>));
    return values.map((v) => v?.body ?? '');
  }

  it('shows a customer message to the agent in under a second, and the agent reply to the customer in under a second', async () => {
    const visitor = await customer();
    const agent = await dashboard();
    const { page } = agent;
    // The widget hears that an agent came online (chat-status): it no longer asks for an email first.
    await widget(visitor.page).host.and(visitor.page.locator('[data-available="true"]')).waitFor({ state: 'attached' });

    // A new conversation appears in the inbox without a reload.
    const first = 'Hello, my parcel has not arrived';
    await visitor.page.locator('#parley-widget textarea[data-parley="composer"]').fill(first);
    const startedAt = Date.now();
    await visitor.page.locator('#parley-widget textarea[data-parley="composer"]').press('Enter');
    const id = await conversationId(visitor.page);
    await row(page, id).waitFor({ state: 'visible', timeout: 5_000 });
    const inboxMs = Date.now() - startedAt;
    console.log(`new conversation shown in the inbox after ${inboxMs} ms`);
    await visitor.waitForConsole(`Subscribed to conversation.${id}`);
    await openConversation(page, id, first);

    // Customer → agent, with the conversation open.
    const second = 'Order number 4711, sent last Monday';
    const composer = widget(visitor.page).composer;
    await composer.fill(second);
    const mark = agent.mark();
    const shownToAgent = transcriptMessage(page, 'visitor', second).waitFor({ state: 'visible', timeout: 5_000 });
    const sentAt = Date.now();
    await composer.press('Enter');
    await shownToAgent;
    const toAgentMs = Date.now() - sentAt;
    console.log(`customer → agent: ${toAgentMs} ms`);
    await expect.poll(() => loggedBodies(agent, mark), { timeout: 5_000, message: 'console shows "Agent received message:" with the message object' }).toContain(second);

    // Agent → customer, typed in the reply box and sent with Enter.
    const reply = replyBox(page);
    await expect(page.getByRole('textbox', { name: 'Reply', exact: true }).count()).resolves.toBe(1);
    const answer = 'Thanks, I can see it is at the depot and goes out today.';
    await reply.click();
    await reply.fill(answer);
    const shownToCustomer = widget(visitor.page).host.locator('[data-parley="message"][data-sender="agent"]', { hasText: answer }).waitFor({ state: 'visible', timeout: 5_000 });
    const repliedAt = Date.now();
    await reply.press('Enter');
    await shownToCustomer;
    const toCustomerMs = Date.now() - repliedAt;
    console.log(`agent → customer: ${toCustomerMs} ms`);
    await expect.poll(() => reply.inputValue()).toBe('');
    await transcriptMessage(page, 'agent', answer).waitFor({ state: 'visible' });

    expect(toAgentMs, 'customer → agent latency (ms)').toBeLessThan(1_000);
    expect(toCustomerMs, 'agent → customer latency (ms)').toBeLessThan(1_000);
    // Each message once, in seq order.
    const shown = (await transcript(page)).filter((m) => m.seq !== null);
    expect(shown.map((m) => m.sender)).toEqual(['visitor', 'visitor', 'agent']);
    const seqs = shown.map((m) => m.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    await expect(page.locator('[data-parley="visitor-panel"]').isVisible()).resolves.toBe(true);
  });

  it("updates a second agent's dashboard too: new messages, assignment and closing show in both, and the widget shows the end", async () => {
    const visitor = await customer();
    const admin = await dashboard();
    const sam = await dashboard(SAM.email, SAM.password);

    const id = await startChat(visitor, 'Can someone help me with an invoice?');
    await row(admin.page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await row(sam.page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await openConversation(admin.page, id, 'Can someone help me with an invoice?');
    await openConversation(sam.page, id, 'Can someone help me with an invoice?');

    await send(visitor.page, 'It is invoice 2024-117');
    await transcriptMessage(admin.page, 'visitor', 'It is invoice 2024-117').waitFor({ state: 'visible', timeout: 5_000 });
    await transcriptMessage(sam.page, 'visitor', 'It is invoice 2024-117').waitFor({ state: 'visible', timeout: 5_000 });

    // Sam watches the unassigned queue; the admin takes the conversation.
    await filter(sam.page, 'Unassigned').click();
    await row(sam.page, id).waitFor({ state: 'visible' });
    await button(admin.page, 'Assign to me').click();
    await button(admin.page, 'Unassign').waitFor({ state: 'visible', timeout: 5_000 });
    await row(sam.page, id).waitFor({ state: 'detached', timeout: 5_000 });
    await filter(admin.page, 'Mine').click();
    await row(admin.page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await filter(sam.page, 'All').click();
    await row(sam.page, id).waitFor({ state: 'visible', timeout: 5_000 });

    // The admin replies, then closes: both dashboards and the widget show it.
    await replyBox(admin.page).fill('Invoice 2024-117 is corrected, you will get it by email.');
    await replyBox(admin.page).press('Enter');
    await transcriptMessage(sam.page, 'agent', 'Invoice 2024-117 is corrected').waitFor({ state: 'visible', timeout: 5_000 });
    await waitForMessage(visitor.page, 'Invoice 2024-117 is corrected, you will get it by email.', { sender: 'agent', timeout: 5_000 });

    await button(admin.page, 'Close').click();
    await expect.poll(() => shownText(admin.page, '[data-parley="conversation-status"]'), { timeout: 5_000 }).toBe('Closed');
    await button(admin.page, 'Reopen').waitFor({ state: 'visible' });
    await expect.poll(() => shownText(sam.page, '[data-parley="conversation-status"]'), { timeout: 5_000, message: "Sam's open conversation shows Closed" }).toBe('Closed');
    await expect.poll(() => widget(visitor.page).panel.textContent(), { timeout: 5_000 }).toContain('This conversation has ended.');
    await filter(admin.page, 'Closed').click();
    await row(admin.page, id).waitFor({ state: 'visible', timeout: 5_000 });
  });

  it('shows typing indicators both ways', async () => {
    const visitor = await customer();
    const agent = await dashboard();
    const id = await startChat(visitor, 'I have a question about sizes');
    await row(agent.page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await openConversation(agent.page, id, 'I have a question about sizes');

    // The agent types: the widget shows that someone is typing.
    await replyBox(agent.page).click();
    await replyBox(agent.page).pressSequentially('Let me check the size chart', { delay: 40 });
    await expect.poll(() => widget(visitor.page).typing.isVisible(), { timeout: 5_000, message: 'the widget shows the agent typing' }).toBe(true);

    // The visitor types: the dashboard shows "Visitor is typing…".
    await widget(visitor.page).composer.click();
    await widget(visitor.page).composer.pressSequentially('Is a medium', { delay: 40 });
    await expect.poll(() => shownText(agent.page, '[data-parley="typing"]'), { timeout: 5_000, message: 'the dashboard shows the visitor typing' }).toBe('Visitor is typing…');
  });

  it('counts unread messages for a conversation the agent is not viewing, in the inbox and the tab title', async () => {
    const agent = await dashboard();
    const { page } = agent;
    const first = await customer();
    const a = await startChat(first, 'First customer here');
    await row(page, a).waitFor({ state: 'visible', timeout: 5_000 });
    await expect.poll(() => shownText(page, `[data-parley="conversation"][data-conversation-id="${a}"] [data-parley="unread"]`), { timeout: 5_000 }).toBe('1');
    await expect.poll(() => page.title(), { timeout: 5_000 }).toBe('(1) Parley');
    await openConversation(page, a, 'First customer here');
    await expect.poll(() => page.title(), { timeout: 5_000, message: 'nothing unread once the conversation is open' }).toBe('Parley');

    // Another device on the same network starts its own conversation.
    const second = await customer(PHONE);
    const w = widget(second.page);
    await w.resumePrompt.waitFor({ state: 'visible' });
    await w.resumePrompt.getByRole('button', { name: 'Start new', exact: true }).click();
    await w.composer.waitFor({ state: 'visible' });
    const b = await startChat(second, 'Second customer, different question');
    expect(b).not.toBe(a);
    await row(page, b).waitFor({ state: 'visible', timeout: 5_000 });
    await expect.poll(() => shownText(page, `[data-parley="conversation"][data-conversation-id="${b}"] [data-parley="unread"]`), { timeout: 5_000 }).toBe('1');
    await expect.poll(() => page.title(), { timeout: 5_000 }).toBe('(1) Parley');
    await send(second.page, 'Are you there?');
    await expect.poll(() => shownText(page, `[data-parley="conversation"][data-conversation-id="${b}"] [data-parley="unread"]`), { timeout: 5_000 }).toBe('2');

    // A message in the conversation being viewed counts as read.
    await send(first.page, 'Still here on the first one');
    await transcriptMessage(page, 'visitor', 'Still here on the first one').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await shownText(page, `[data-parley="conversation"][data-conversation-id="${a}"] [data-parley="unread"]`)).toBe('hidden');

    await openConversation(page, b, 'Are you there?');
    await expect.poll(() => shownText(page, `[data-parley="conversation"][data-conversation-id="${b}"] [data-parley="unread"]`), { timeout: 5_000 }).toBe('hidden');
    await expect.poll(() => page.title(), { timeout: 5_000 }).toBe('Parley');
  });

  it("shows a banner while the agent's connection is down and, once back, every message sent meanwhile exactly once", async () => {
    // Every WebSocket of the agent's page goes through here, so the test can cut it.
    let down = false;
    const live = new Set<WebSocketRoute>();
    const agent = await dashboard(ADMIN.email, ADMIN.password, (ctx) =>
      ctx.routeWebSocket(/\/app\//, (ws) => {
        if (down) {
          void ws.close({ code: 1006, reason: 'network down' }).catch(() => undefined);
          return;
        }
        const server = ws.connectToServer();
        live.add(ws);
        ws.onClose(() => {
          live.delete(ws);
          void server.close().catch(() => undefined);
        });
        server.onClose(() => {
          live.delete(ws);
          void ws.close().catch(() => undefined);
        });
      }),
    );
    const { page } = agent;
    const visitor = await customer();
    const id = await startChat(visitor, 'Before the agent loses the connection');
    await row(page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await openConversation(page, id, 'Before the agent loses the connection');
    expect(await banner(page).isVisible()).toBe(false);

    down = true;
    await page.context().setOffline(true);
    await Promise.all([...live].map((ws) => ws.close({ code: 1006, reason: 'network down' }).catch(() => undefined)));
    await expect.poll(() => shownText(page, '[data-parley="connection-banner"]'), { timeout: 10_000, message: 'the banner while disconnected' }).toContain('Reconnecting…');

    const meanwhile = ['Sent while the agent was away, one', 'Sent while the agent was away, two', 'Sent while the agent was away, three'];
    for (const body of meanwhile) {
      await send(visitor.page, body);
      await waitForMessage(visitor.page, body, { sender: 'visitor', state: 'sent' });
    }

    // The outage is real: nothing sent meanwhile has reached the agent's page yet.
    expect((await transcript(page)).filter((m) => meanwhile.some((body) => m.text.includes(body)))).toEqual([]);
    expect(await banner(page).isVisible(), 'the banner stays while the connection is down').toBe(true);

    down = false;
    await page.context().setOffline(false);
    await banner(page).waitFor({ state: 'hidden', timeout: 30_000 });
    await expect
      .poll(async () => (await transcript(page)).filter((m) => meanwhile.some((body) => m.text.includes(body))).length, { timeout: 15_000, message: 'messages sent meanwhile caught up' })
      .toBeGreaterThanOrEqual(3);

    const shown = (await transcript(page)).filter((m) => m.sender === 'visitor');
    for (const body of meanwhile) expect(shown.filter((m) => m.text.includes(body)), body).toHaveLength(1);
    const seqs = shown.map((m) => m.seq);
    expect(seqs.every((s) => s !== null), 'every caught-up message has its seq').toBe(true);
    expect(new Set(seqs).size, 'no seq shown twice').toBe(seqs.length);
    const stored = (await parley().agent.transcript(id)).filter((m) => m.sender === 'visitor').map((m) => m.seq);
    expect(seqs).toEqual(stored);

    // And live again: a new message arrives without a reload.
    await send(visitor.page, 'And one after the connection is back');
    await transcriptMessage(page, 'visitor', 'And one after the connection is back').waitFor({ state: 'visible', timeout: 5_000 });
  });

  it('refuses without a session: wrong password, agent pages and the agent API', async () => {
    const agentPage = await pageIn(await context());
    const { page } = agentPage;
    for (const path of ['/stratus', '/stratus/agents']) {
      await page.goto(`${parley().url}${path}`);
      await page.waitForURL((url) => url.pathname === '/stratus/login', { timeout: 10_000 });
      await page.getByLabel('Email', { exact: true }).waitFor({ state: 'visible' });
    }

    await loginPage(agentPage, ADMIN.email, 'not-the-password');
    await expect.poll(() => loginAlert(page), { timeout: 5_000 }).toBe('The email or password is wrong.');
    expect(await page.getByRole('alert').filter({ hasText: /\S/ }).first().isVisible()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/stratus/login');

    for (const path of ['/api/agent/conversations', '/api/agent/me', '/api/agent/agents']) {
      expect((await fetch(`${parley().url}${path}`)).status, `GET ${path} without a cookie`).toBe(401);
    }
  });

  it('shows admin actions to admins only', async () => {
    const admin = await dashboard();
    await admin.page.getByRole('link', { name: 'Agents', exact: true }).waitFor({ state: 'visible' });

    const sam = await dashboard(SAM.email, SAM.password);
    expect(await sam.page.getByRole('link', { name: 'Agents', exact: true }).count()).toBe(0);
    await sam.page.goto(`${parley().url}/stratus/agents`);
    await sam.page.getByText('Only admins can manage agents.').waitFor({ state: 'visible' });
    // The API agrees.
    const res = await fetch(`${parley().url}/api/agent/agents`, { headers: { cookie: await sessionCookie(sam.page.context(), parley().url) } });
    expect(res.status).toBe(403);
  });
});
