import type { Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bodies, conversationId, type BrowserGlobals, messages, openWidget, send, skipWithoutChromium, waitForMessage, widget } from './support/browser.js';
import { ensureBuilt } from './support/server.js';
import { DESKTOP, ensureOpen, useWidgetWorld } from './support/widget-world.js';

/**
 * The customer widget never loses or doubles a message, and finds its conversation again: messages
 * typed offline, a reload with an acknowledgement lost, another device on the same network, and a
 * page that blocks localStorage. The real `parley start` and Debian's Chromium; counted against
 * what the server stored.
 */

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe.skipIf(skipWithoutChromium)('customer widget delivery in Chromium', { timeout: 60_000 }, () => {
  const world = useWidgetWorld();
  const { visitor, startChat, visitorTranscript } = world;

  const OFFLINE = ['First, while offline', 'Second, while offline', 'Third, while offline'];

  it('keeps messages typed offline as pending and sends each once, in order, when back online', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const id = await startChat(visitorPage, world.parley.url, 'Before the train enters the tunnel');

    await page.context().setOffline(true);
    for (const body of OFFLINE) await send(page, body);
    const visitorOnes = async () => (await messages(page)).filter((m) => OFFLINE.includes(m.body));
    await expect.poll(async () => (await visitorOnes()).map((m) => [m.body, m.state, m.seq])).toEqual(OFFLINE.map((body) => [body, 'pending', null]));
    await expect.poll(() => widget(page).status.isVisible(), { message: 'a connection status line while offline' }).toBe(true);

    await page.context().setOffline(false);
    await expect.poll(async () => (await visitorOnes()).map((m) => m.state), { timeout: 20_000 }).toEqual(['sent', 'sent', 'sent']);
    expect((await bodies(page, 'visitor')).filter((b) => OFFLINE.includes(b))).toEqual(OFFLINE);

    const stored = await visitorTranscript(id);
    expect(stored.map((m) => m.body)).toEqual(['Before the train enters the tunnel', ...OFFLINE]);
    const seqs = stored.slice(1).map((m) => m.seq);
    expect(seqs).toEqual([seqs[0], (seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2]);
  });

  it('sends messages queued before a reload exactly once, even when an acknowledgement was lost', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const id = await startChat(visitorPage, world.parley.url, 'Before the API goes away');

    const queued = ['Queued one (its answer is lost)', 'Queued two', 'Queued three'];
    // The first message reaches the server but its answer never comes back; everything else fails.
    const block = async (route: Route) => {
      const request = route.request();
      if (request.method() === 'POST' && request.url().endsWith('/messages') && (request.postData() ?? '').includes('its answer is lost')) {
        await route.fetch().catch(() => undefined);
      }
      await route.abort();
    };
    await page.route('**/api/chat/**', block);
    for (const body of queued) await send(page, body);
    await expect.poll(async () => (await messages(page)).filter((m) => queued.includes(m.body)).length).toBe(3);
    await expect.poll(async () => (await visitorTranscript(id)).map((m) => m.body), { message: 'the first queued message reached the server' }).toContain(queued[0]);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('chat_outbox') ?? '')).toContain('Queued three');

    await page.reload();
    await ensureOpen(page);
    // The outbox survived the reload: the visitor still sees what they typed.
    let shownAfterReload: string[] = [];
    await expect
      .poll(async () => (shownAfterReload = (await messages(page)).filter((m) => queued.includes(m.body)).map((m) => m.body)), { timeout: 5_000 })
      .toEqual(queued)
      .catch(() => undefined);
    expect.soft(shownAfterReload, 'queued messages shown (pending) after the reload, before the API is back').toEqual(queued);

    await page.unroute('**/api/chat/**', block);
    await expect
      .poll(async () => (await messages(page)).filter((m) => queued.includes(m.body)).map((m) => [m.body, m.state]), { timeout: 20_000 })
      .toEqual(queued.map((body) => [body, 'sent']));

    const stored = await visitorTranscript(id);
    expect(stored.map((m) => m.body)).toEqual(['Before the API goes away', ...queued]);
    const seqs = stored.slice(1).map((m) => m.seq);
    expect(seqs).toEqual([seqs[0], (seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2]);
    expect((await bodies(page, 'visitor')).filter((b) => queued.includes(b))).toEqual(queued);
  });

  it('offers another device on the same network to continue, without showing it the earlier transcript', async () => {
    const laptop = await visitor();
    const id = await startChat(laptop, world.parley.url, 'My address is 12 Private Lane');
    await world.parley.agentReply(id, 'Thanks, your parcel goes to 12 Private Lane.');
    await waitForMessage(laptop.page, 'Thanks, your parcel goes to 12 Private Lane.', { sender: 'agent', timeout: 5_000 });

    // Same IP (127.0.0.1), another fingerprint: screen size, timezone and language differ.
    const phone = await visitor({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, locale: 'fr-FR', timezoneId: 'America/New_York' });
    const { page } = phone;
    await page.goto(`${world.parley.url}/`);
    const w = widget(page);
    await w.launcher.click();
    await w.resumePrompt.waitFor({ state: 'visible' });
    await expect(w.resumePrompt.textContent()).resolves.toContain('Continue your earlier conversation?');
    await expect(w.resumePrompt.getByRole('button', { name: 'Start new', exact: true }).isVisible()).resolves.toBe(true);
    await w.resumePrompt.getByRole('button', { name: 'Continue', exact: true }).click();
    await w.composer.waitFor({ state: 'visible' });

    await phone.waitForConsole(`Subscribed to conversation.${id}`);
    expect(await conversationId(page)).toBe(id);
    const shown = await messages(page);
    expect(shown.map((m) => m.body).join('\n')).not.toContain('Private Lane');
    expect(await w.messages.textContent()).not.toContain('Private Lane');
    expect(shown.filter((m) => m.seq !== null && m.sender !== 'system')).toEqual([]);

    await send(page, 'Continuing from my phone');
    await waitForMessage(page, 'Continuing from my phone', { sender: 'visitor', state: 'sent' });
    const transcript = await world.parley.agent.transcript(id);
    expect(transcript.map((m) => m.sender)).toContain('system');
    expect(transcript.filter((m) => m.sender === 'visitor').map((m) => m.body)).toEqual(['My address is 12 Private Lane', 'Continuing from my phone']);
    await world.parley.agentReply(id, 'Got it on your phone.');
    await waitForMessage(page, 'Got it on your phone.', { sender: 'agent', timeout: 5_000 });
    expect(await w.messages.textContent()).not.toContain('Private Lane');
  });


  it('resumes by fingerprint, IP and user agent when the page blocks localStorage', async () => {
    const visitorPage = await visitor(DESKTOP, (context) =>
      context.addInitScript(() => {
        Object.defineProperty(globalThis, 'localStorage', {
          configurable: true,
          get() {
            throw new Error('SecurityError: localStorage is blocked on this page');
          },
        });
      }),
    );
    const { page } = visitorPage;
    await page.goto(`${world.parley.url}/`);
    const blocked = await page.evaluate(() => {
      try {
        return (globalThis as unknown as BrowserGlobals).localStorage === undefined;
      } catch {
        return true;
      }
    });
    expect(blocked, 'localStorage throws on this page').toBe(true);
    await openWidget(page);
    await send(page, 'My browser keeps nothing');
    await waitForMessage(page, 'My browser keeps nothing', { sender: 'visitor', state: 'sent' });
    const subscribed = await visitorPage.waitForConsole('Subscribed to conversation.');
    const id = Number(/conversation\.(\d+)/.exec(subscribed.text())?.[1]);
    await world.parley.agentReply(id, 'We remember you anyway');
    await waitForMessage(page, 'We remember you anyway', { sender: 'agent', timeout: 5_000 });

    const mark = visitorPage.mark();
    await page.reload();
    await ensureOpen(page);
    await visitorPage.waitForConsole(`Subscribed to conversation.${id}`, { from: mark });
    await expect.poll(() => bodies(page)).toEqual(expect.arrayContaining(['My browser keeps nothing', 'We remember you anyway']));
    expect(await widget(page).resumePrompt.isVisible()).toBe(false);
  });
});
