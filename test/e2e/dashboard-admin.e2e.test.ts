import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { skipWithoutChromium, waitForMessage } from './support/browser.js';
import { button, dashboardSuite, filter, loginAlert, replyBox, row, sessionCookie } from './support/dashboard.js';

/**
 * The agent dashboard's account side end to end (docs/dashboard.md, "Login" and "Agents
 * (admins)"), plus the reply box's Shift+Enter: the real `parley start` and Debian's Chromium,
 * clicked as a person would. Every test makes its own agent, so none depends on another.
 */

/** An agent account for one test; the admin API creates it where the test is about something else. */
const account = (first: string) => ({
  email: `${first.toLowerCase()}@e2e.test`,
  name: `${first} Agent`,
  password: `${first.toLowerCase()}-e2e-password`,
  role: 'agent' as const,
});

/** The Agents page's row for the agent with this email. */
const agentRow = (page: Page, email: string) => page.locator('[data-parley="agent"]', { hasText: email });
/** Name, email, role and status as the Agents page shows them. */
const agentCells = async (entry: Locator) => (await entry.getByRole('cell').allTextContents()).slice(0, 4).map((t) => t.trim());
/** A status message (role="status") saying `text`. */
const notice = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

/** Follows the top bar's Agents link, as an admin would. */
async function openAgentsPage(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Agents', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/stratus/agents');
  await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor({ state: 'visible' });
}

const onLoginPage = async (page: Page) => {
  await page.waitForURL((url) => url.pathname === '/stratus/login', { timeout: 10_000 });
  await page.getByLabel('Email', { exact: true }).waitFor({ state: 'visible' });
};

describe.skipIf(skipWithoutChromium)('agent dashboard: accounts and the reply box, in Chromium', { timeout: 60_000 }, () => {
  const { parley, context, pageIn, customer, startChat, loginPage, dashboardShown, dashboard, openConversation } = dashboardSuite();

  /** The agent API's answer to `path` with only this session cookie. */
  const statusWith = async (cookie: string, path: string) => (await fetch(`${parley().url}${path}`, { headers: { cookie } })).status;

  it('lets an admin add an agent on the Agents page; the new agent logs in in another browser and works the inbox', async () => {
    const riley = { ...account('Riley'), role: 'admin' as const };
    const admin = await dashboard();
    await openAgentsPage(admin.page);

    const form = admin.page.getByRole('form', { name: 'Add an agent' });
    await form.getByLabel('Email', { exact: true }).fill(riley.email);
    await form.getByLabel('Name', { exact: true }).fill(riley.name);
    await form.getByLabel('Password', { exact: true }).fill(riley.password);
    await form.getByLabel('Role', { exact: true }).selectOption({ label: 'Admin' });
    await button(admin.page, 'Add agent').click();

    await notice(admin.page, `Added ${riley.name}.`).waitFor({ state: 'visible', timeout: 5_000 });
    await agentRow(admin.page, riley.email).waitFor({ state: 'visible', timeout: 5_000 });
    expect(await agentCells(agentRow(admin.page, riley.email))).toEqual([riley.name, riley.email, 'Admin', 'Active']);
    expect(await form.getByLabel('Email', { exact: true }).inputValue(), 'the form is empty for the next agent').toBe('');

    // Riley, in a browser of their own: the inbox, their name in the top bar, admin rights as chosen.
    const other = await dashboard(riley.email, riley.password);
    await other.page.getByRole('navigation', { name: 'Inbox', exact: true }).waitFor({ state: 'visible' });
    await other.page.getByRole('banner').getByText(riley.name, { exact: true }).waitFor({ state: 'visible' });
    await other.page.getByRole('link', { name: 'Agents', exact: true }).waitFor({ state: 'visible' });

    // And a customer's new conversation reaches Riley's inbox live.
    const visitor = await customer();
    const id = await startChat(visitor, 'Is anyone new on the team?');
    await row(other.page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await openConversation(other.page, id, 'Is anyone new on the team?');
  });

  it("ends a deactivated agent's open session: the next request answers 401, the dashboard returns to the login page, and logging in again is refused", async () => {
    const dana = account('Dana');
    await parley().agent.createAgent(dana);
    const danaPage = await dashboard(dana.email, dana.password);
    const cookie = await sessionCookie(danaPage.page.context(), parley().url);

    const admin = await dashboard();
    await openAgentsPage(admin.page);
    const entry = agentRow(admin.page, dana.email);
    await entry.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await notice(admin.page, `${dana.name} is deactivated.`).waitFor({ state: 'visible', timeout: 5_000 });
    await entry.getByRole('button', { name: 'Activate', exact: true }).waitFor({ state: 'visible' });
    expect(await agentCells(entry)).toEqual([dana.name, dana.email, 'Agent', 'Deactivated']);

    // Dana's dashboard is still open; her next click asks the server, which refuses it.
    const { page } = danaPage;
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/agent/conversations' && r.url().includes('status=closed'));
    await filter(page, 'Closed').click();
    expect((await answered).status(), 'the inbox request after the deactivation').toBe(401);
    await onLoginPage(page);
    await notice(page, 'Your session ended. Log in again; your draft is kept.').waitFor({ state: 'visible' });
    expect(await statusWith(cookie, '/api/agent/me'), 'the old session cookie').toBe(401);

    await loginPage(danaPage, dana.email, dana.password);
    await expect.poll(() => loginAlert(page), { timeout: 5_000 }).toBe('The email or password is wrong.');
    expect(new URL(page.url()).pathname).toBe('/stratus/login');
  });

  it("resets an agent's password from the Agents page: the old password is refused, the new one works", async () => {
    const robin = account('Robin');
    const newPassword = 'robin-new-e2e-password';
    await parley().agent.createAgent(robin);
    const robinPage = await dashboard(robin.email, robin.password);
    const cookie = await sessionCookie(robinPage.page.context(), parley().url);

    const admin = await dashboard();
    await openAgentsPage(admin.page);
    const prompt = admin.expectDialog(newPassword);
    await agentRow(admin.page, robin.email).getByRole('button', { name: 'Reset password', exact: true }).click();
    const dialog = await prompt;
    expect(dialog.type()).toBe('prompt');
    expect(dialog.message()).toBe(`New password for ${robin.name} (at least 8 characters):`);
    await notice(admin.page, `Password changed for ${robin.name}; their sessions ended.`).waitFor({ state: 'visible', timeout: 5_000 });
    expect(await statusWith(cookie, '/api/agent/me'), "Robin's session from before the reset").toBe(401);

    const later = await pageIn(await context());
    await loginPage(later, robin.email, robin.password);
    await expect.poll(() => loginAlert(later.page), { timeout: 5_000 }).toBe('The email or password is wrong.');
    expect(new URL(later.page.url()).pathname).toBe('/stratus/login');

    await loginPage(later, robin.email, newPassword);
    await dashboardShown(later.page);
    await later.page.getByRole('navigation', { name: 'Inbox', exact: true }).waitFor({ state: 'visible' });
  });

  it('logs out with the top bar button: the login page shows, /stratus stays on it after a reload, and the old session cookie is refused', async () => {
    const lee = account('Lee');
    await parley().agent.createAgent(lee);
    const { page } = await dashboard(lee.email, lee.password);
    const cookie = await sessionCookie(page.context(), parley().url);
    expect(await statusWith(cookie, '/api/agent/me'), 'the session before logging out').toBe(200);

    await button(page, 'Log out').click();
    await onLoginPage(page);
    await notice(page, 'You are logged out.').waitFor({ state: 'visible' });

    await page.reload();
    await onLoginPage(page);
    await page.goto(`${parley().url}/stratus`);
    await onLoginPage(page);
    expect(await page.locator('[data-parley="agents-online"]').count(), 'no dashboard behind the login page').toBe(0);

    for (const path of ['/api/agent/me', '/api/agent/conversations']) {
      expect(await statusWith(cookie, path), `GET ${path} with the logged-out session cookie`).toBe(401);
    }
  });

  it('inserts a newline on Shift+Enter in the reply box and sends on Enter; the reply keeps its line break as text', async () => {
    const visitor = await customer();
    const agent = await dashboard();
    const { page } = agent;
    const id = await startChat(visitor, 'Can you write down the steps?');
    await row(page, id).waitFor({ state: 'visible', timeout: 5_000 });
    await openConversation(page, id, 'Can you write down the steps?');

    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === `/api/agent/conversations/${id}/messages`) posted.push(request.postData() ?? '');
    });
    const lines = ['Step one: open the box.', 'Step two: read the manual.'];
    const reply = replyBox(page);
    await reply.click();
    await reply.pressSequentially(lines[0] as string);
    await reply.press('Shift+Enter');
    await reply.pressSequentially(lines[1] as string);
    expect(await reply.inputValue(), 'Shift+Enter added a line and sent nothing').toBe(lines.join('\n'));
    expect(await page.locator('[data-parley="transcript"] [data-parley="message"][data-sender="agent"]').count(), 'nothing sent yet').toBe(0);

    await reply.press('Enter');
    const sent = page.locator('[data-parley="transcript"] [data-parley="message"][data-sender="agent"][data-seq]').locator('.text');
    await sent.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await reply.inputValue(), 'the reply box is empty after sending').toBe('');
    expect(await sent.textContent(), 'the line break is in the text').toBe(lines.join('\n'));
    expect(await sent.evaluate((el) => (el as unknown as { innerText: string }).innerText), 'and shown as a line break').toBe(lines.join('\n'));
    expect(await sent.locator('br').count(), 'as text, not as HTML').toBe(0);

    expect(posted.map((body) => (JSON.parse(body) as { body: string }).body), 'one send, on Enter').toEqual([lines.join('\n')]);
    expect((await parley().agent.transcript(id)).filter((m) => m.sender === 'agent').map((m) => m.body)).toEqual([lines.join('\n')]);
    await waitForMessage(visitor.page, lines.join('\n'), { sender: 'agent', timeout: 5_000 });
  });
});
