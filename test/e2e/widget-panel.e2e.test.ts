import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { bodies, isFocused, openWidget, send, skipWithoutChromium, storedConversationId, waitForMessage, widget } from './support/browser.js';
import { CUSTOM_EMBED, ensureBuilt } from './support/server.js';
import { useWidgetWorld } from './support/widget-world.js';

/**
 * The customer widget's panel as a person uses it: the keyboard alone, message bodies as text,
 * who is online, unread counts, a closed conversation, and the look the script tag asks for.
 */

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe.skipIf(skipWithoutChromium)('customer widget panel in Chromium', { timeout: 60_000 }, () => {
  const world = useWidgetWorld();
  const { visitor, startChat } = world;

  it('can be used with the keyboard only: open, type, send, close', async () => {
    // Someone is available, so the composer alone sends (the away card's keyboard path: widget-offline.e2e.test.ts).
    onTestFinished(await world.parley.agent.goOnline());
    const { page } = await visitor();
    await page.goto(`${world.site.url}/`);
    const w = widget(page);
    await w.launcher.waitFor({ state: 'visible' });
    let presses = 0;
    while (!(await isFocused(w.launcher)) && presses < 20) {
      await page.keyboard.press('Tab');
      presses += 1;
    }
    expect(await isFocused(w.launcher), 'Tab reaches the launcher').toBe(true);
    // Visible focus: an outline or a ring, not just the browser default being suppressed.
    const ring = await w.launcher.evaluate((el) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string } }).getComputedStyle(el);
      return (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none';
    });
    expect(ring, 'the focused launcher shows a focus ring').toBe(true);

    await page.keyboard.press('Enter');
    await w.panel.waitFor({ state: 'visible' });
    await expect.poll(() => isFocused(w.composer), { message: 'focus moves to the composer' }).toBe(true);
    await page.keyboard.type('First line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    await waitForMessage(page, 'First line\nsecond line', { sender: 'visitor', state: 'sent' });
    await expect(w.composer.inputValue()).resolves.toBe('');

    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    await expect.poll(() => isFocused(w.launcher), { message: 'focus returns to the launcher' }).toBe(true);
  });

  it('shows message bodies as text, never as HTML, and makes links clickable safely', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const id = await startChat(visitorPage, world.parley.url, '<img src=x onerror=alert(1)>');
    await world.parley.agentReply(id, '<b>bold?</b> See https://example.com/help or javascript:alert(2)');
    await waitForMessage(page, '<b>bold?</b> See https://example.com/help or javascript:alert(2)', { sender: 'agent', timeout: 5_000 });

    const w = widget(page);
    expect(await w.host.evaluate((el) => (el as unknown as { shadowRoot: { querySelectorAll(s: string): { length: number } } }).shadowRoot.querySelectorAll('img').length)).toBe(0);
    expect(await w.messages.locator('b, script').count()).toBe(0);
    const links = await w.messages.locator('a').evaluateAll((anchors) => anchors.map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel') ?? '' })));
    expect(links.map((l) => l.href)).toEqual(['https://example.com/help']);
    expect(links[0]?.rel).toContain('noopener');
  });

  it('shows whether an agent is online, and changes when one comes or goes', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    await startChat(visitorPage, world.parley.url, 'Is anybody in?');
    const w = widget(page);
    await expect.poll(() => w.availability.textContent()).toContain('Leave a message');
    const leave = await world.parley.agent.goOnline();
    try {
      await expect.poll(() => w.availability.textContent(), { timeout: 5_000 }).toContain("We're online");
    } finally {
      leave();
    }
    await expect.poll(() => w.availability.textContent(), { timeout: 10_000 }).toContain('Leave a message');
  });

  it('counts unread replies on the launcher while the panel is closed', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const id = await startChat(visitorPage, world.parley.url, 'I will wait with the chat closed');
    const w = widget(page);
    await w.close.click();
    await w.panel.waitFor({ state: 'hidden' });
    await world.parley.agentReply(id, 'First reply while closed');
    await world.parley.agentReply(id, 'Second reply while closed');
    await expect.poll(async () => ((await w.unread.isVisible()) ? (await w.unread.textContent())?.trim() : 'hidden'), { timeout: 5_000 }).toBe('2');
    await openWidget(page);
    await waitForMessage(page, 'Second reply while closed', { sender: 'agent' });
    await expect.poll(() => w.unread.isVisible()).toBe(false);
  });

  it('shows a closed conversation as ended and starts a new one on request', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const first = await startChat(visitorPage, world.parley.url, 'Thanks, that is all');
    await world.parley.agent.close(first);
    const w = widget(page);
    await expect.poll(() => w.panel.textContent(), { timeout: 5_000 }).toContain('This conversation has ended.');
    await expect(w.newConversation.textContent()).resolves.toContain('Start a new conversation');
    await w.newConversation.click();
    await w.composer.waitFor({ state: 'visible' });
    await send(page, 'One more question');
    await waitForMessage(page, 'One more question', { sender: 'visitor', state: 'sent' });
    await expect.poll(() => storedConversationId(page)).not.toBe(first);
    expect(await bodies(page)).not.toContain('Thanks, that is all');
  });

  it('takes its colour, position and greeting from the script tag, and LiveChat.init changes them', async () => {
    const { page } = await visitor();
    await page.goto(`${world.site.url}/custom`);
    const w = widget(page);
    await w.launcher.waitFor({ state: 'visible' });
    const background = () => w.launcher.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    expect(await background()).toBe('rgb(22, 163, 74)');
    const box = await w.launcher.boundingBox();
    expect(box === null ? undefined : box.x + box.width / 2, 'launcher on the left').toBeLessThan(1280 / 2);
    await openWidget(page);
    await expect.poll(() => w.panel.textContent()).toContain(CUSTOM_EMBED.greeting);
    await page.evaluate(() => (globalThis as unknown as { LiveChat: { init(o: object): void } }).LiveChat.init({ color: '#7c3aed' }));
    await expect.poll(background).toBe('rgb(124, 58, 237)');
  });

});
