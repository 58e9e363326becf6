import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bodies, conversationId, openWidget, send, skipWithoutChromium, waitForMessage, widget } from './support/browser.js';
import { ensureBuilt, WIDGET_APP, WIDGET_LOADER } from './support/server.js';
import { chatKeys, ensureOpen, numbered, transport, useWidgetWorld } from './support/widget-world.js';

/**
 * The customer widget end to end (issue 4, "Done when"): the real `parley start`, Debian's
 * Chromium, and a person's view of the page: chatting, on any origin, beside the page's own Echo,
 * and over polling while WebSockets are blocked. Waits are bounded polls on what the page shows or
 * logs; nothing sleeps for a fixed time. Delivery across outages and reloads is in
 * widget-delivery.e2e.test.ts, the panel itself in widget-panel.e2e.test.ts.
 */

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe('widget size budgets (built files, gzipped)', () => {
  const gzipped = (file: string) => gzipSync(readFileSync(file)).length;

  it('the loader is at most 5 KB gzipped', () => {
    expect(gzipped(WIDGET_LOADER)).toBeLessThanOrEqual(5 * 1024);
  });

  it('the chat code, WebSocket client included, is at most 40 KB gzipped', () => {
    expect(gzipped(WIDGET_APP)).toBeLessThanOrEqual(40 * 1024);
  });
});

describe.skipIf(skipWithoutChromium)('customer widget in Chromium', { timeout: 60_000 }, () => {
  const world = useWidgetWorld();
  const { visitor, startChat, visitorTranscript } = world;

  it('starts a chat on the demo page, shows the agent reply live, and resumes the transcript after a reload', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const appRequests: string[] = [];
    page.on('request', (request: Request) => {
      if (request.url().includes('/js/live-chat-app.js')) appRequests.push(request.url());
    });
    await page.goto(`${world.parley.url}/`);
    const w = widget(page);
    await w.launcher.waitFor({ state: 'visible' });
    await expect(page.getByRole('button', { name: 'Open chat' }).count()).resolves.toBe(1);
    expect(await transport(page)).toBe('none');
    // Privacy by default and a lazy widget: nothing stored and no chat code before the visitor opens it.
    expect(await chatKeys(page)).toEqual([]);
    expect(appRequests).toEqual([]);

    await openWidget(page);
    expect(appRequests.length).toBeGreaterThan(0);
    await send(page, 'Hello, is my order shipped?');
    await waitForMessage(page, 'Hello, is my order shipped?', { sender: 'visitor', state: 'sent' });
    const id = await conversationId(page);
    expect(await chatKeys(page)).toEqual(expect.arrayContaining(['chat_client_id', 'chat_fingerprint', 'chat_conversation_id', 'chat_visitor_token']));
    await visitorPage.waitForConsole(`Subscribed to conversation.${id}`);
    await expect.poll(() => transport(page)).toBe('websocket');

    await world.parley.agentReply(id, 'Yes, it left our warehouse this morning.');
    await waitForMessage(page, 'Yes, it left our warehouse this morning.', { sender: 'agent', timeout: 5_000 });
    const before = await numbered(page);
    expect(before.map((m) => m.body)).toEqual(['Hello, is my order shipped?', 'Yes, it left our warehouse this morning.']);

    const mark = visitorPage.mark();
    await page.reload();
    const resumed = await visitorPage.waitForConsole('Conversation resumed:', { from: mark });
    expect(resumed.text().startsWith('Conversation resumed:')).toBe(true);
    await expect(resumed.args()[1]?.jsonValue()).resolves.toMatchObject({ id });
    await ensureOpen(page);
    await expect.poll(() => numbered(page)).toEqual(before);
    await visitorPage.waitForConsole(`Subscribed to conversation.${id}`, { from: mark });

    // Still live after the resume, and nothing shown twice.
    await world.parley.agentReply(id, 'Anything else I can help with?');
    await waitForMessage(page, 'Anything else I can help with?', { sender: 'agent', timeout: 5_000 });
    expect(await bodies(page)).toEqual(expect.arrayContaining(before.map((m) => m.body)));
    const shown = (await numbered(page)).map((m) => m.seq);
    expect(shown).toEqual([...new Set(shown)].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('works when the page is on another origin than the Parley server', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    // Identity lives in the host page's own localStorage, on the shop's origin.
    const id = await startChat(visitorPage, world.site.url, 'Hi from a shop on another origin');
    expect(new URL(page.url()).origin).not.toBe(new URL(world.parley.url).origin);
    await expect.poll(() => transport(page)).toBe('websocket');
    await world.parley.agentReply(id, 'Hello, shop visitor!');
    await waitForMessage(page, 'Hello, shop visitor!', { sender: 'agent', timeout: 5_000 });
    expect((await visitorTranscript(id)).map((m) => m.body)).toEqual(['Hi from a shop on another origin']);
  });

  /** Chats on a host page that has its own Laravel Echo; answers the WebSocket URLs the page opened. */
  async function chatBesideHostEcho(path: '/echo' | '/echo-off'): Promise<string[]> {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${world.site.url}${path}`);
    await openWidget(page);
    await send(page, `Hello from a page with its own Echo (${path})`);
    const id = await conversationId(page);
    await visitorPage.waitForConsole(`Subscribed to conversation.${id}`);
    await world.parley.agentReply(id, `Reply through ${path}`);
    await waitForMessage(page, `Reply through ${path}`, { sender: 'agent', timeout: 5_000 });
    expect(await transport(page)).toBe('websocket');
    return sockets;
  }

  it("uses the page's own Laravel Echo for the same app, as in the seed: one WebSocket, replies live", async () => {
    const sockets = await chatBesideHostEcho('/echo');
    expect(sockets).toHaveLength(1);
  });

  it('opens its own connection beside the page\'s Echo with data-echo="false"', async () => {
    const sockets = await chatBesideHostEcho('/echo-off');
    expect(sockets).toHaveLength(2);
  });

  it('falls back to polling while WebSockets are blocked and returns to WebSockets when they are back', async () => {
    const visitorPage = await visitor();
    const { page } = visitorPage;
    let blocked = true;
    const relayed: string[] = [];
    await page.routeWebSocket(/\/app\//, (ws) => {
      if (blocked) {
        void ws.close();
        return;
      }
      const server = ws.connectToServer();
      server.onMessage((frame) => {
        relayed.push(frame.toString());
        ws.send(frame);
      });
    });
    await page.goto(`${world.parley.url}/`);
    await openWidget(page);
    await send(page, 'Is anyone there? My network blocks WebSockets.');
    await waitForMessage(page, 'Is anyone there? My network blocks WebSockets.', { sender: 'visitor', state: 'sent' });
    const id = await conversationId(page);
    await expect.poll(() => transport(page), { timeout: 10_000 }).toBe('polling');

    await world.parley.agentReply(id, 'Yes, I can see you by polling.');
    await waitForMessage(page, 'Yes, I can see you by polling.', { sender: 'agent', timeout: 5_000 });

    blocked = false;
    await expect.poll(() => transport(page), { timeout: 30_000, interval: 250 }).toBe('websocket');
    // The widget says "websocket" once connected; the reply must wait for the channel to be back.
    const resubscribed = (frame: string) => frame.includes('subscription_succeeded') && frame.includes(`private-conversation.${id}`);
    await expect.poll(() => relayed.some(resubscribed), { message: 'conversation channel subscribed again over the WebSocket' }).toBe(true);
    const sent = Date.now();
    await world.parley.agentReply(id, 'And now over a WebSocket again.');
    await waitForMessage(page, 'And now over a WebSocket again.', { sender: 'agent', timeout: 5_000 });
    // It came through the socket, not a poll, and promptly.
    expect(relayed.some((frame) => frame.includes('And now over a WebSocket again.'))).toBe(true);
    expect(Date.now() - sent).toBeLessThan(2_000);
    expect((await numbered(page)).map((m) => m.body)).toEqual([
      'Is anyone there? My network blocks WebSockets.',
      'Yes, I can see you by polling.',
      'And now over a WebSocket again.',
    ]);
  });

});
