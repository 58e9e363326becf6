import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookDto } from '../src/chat/webhooks/webhook-service.js';
import type { Storage } from '../src/storage/database.js';
import { ChatWebhookReceiver, verifySignature, type ChatWebhook } from './support/chat-webhook-receiver.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';
import { WebhookNode } from './support/webhook-world.js';

const ALL = ['conversation.started', 'message.created', 'conversation.assigned', 'conversation.closed', 'rating.created'];

describe.each(ENGINES)('chat webhooks on %s', (engine) => {
  let storage: Storage;
  let node: WebhookNode;
  let receiver: ChatWebhookReceiver;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    node = await WebhookNode.start(storage, { nodeId: 'node-a' });
    receiver = new ChatWebhookReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await node?.close();
    await receiver?.close();
    await storage?.close();
  });

  const events = (list: ChatWebhook[] = receiver.delivered()) => list.map((w) => w.payload.event);

  it('delivers every event of a conversation, signed, with versioned payloads, in order', async () => {
    const hook = await node.register(ALL, receiver.url);
    expect(hook.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const chat = await node.startChat('Where is my order?');
    await node.visitorSays(chat, 'It is #1234');
    const me = (await node.request('GET', '/api/agent/me')).json<{ agent: { id: number } }>().agent.id;
    expect((await node.request('POST', `/api/agent/conversations/${chat.id}/assign`, { agent_id: me })).statusCode).toBe(200);
    expect((await node.request('POST', `/api/agent/conversations/${chat.id}/messages`, { body: 'On its way', client_message_id: 'a-1' })).statusCode).toBe(201);
    expect((await node.request('POST', `/api/agent/conversations/${chat.id}/notes`, { body: 'VIP customer', client_message_id: 'n-1' })).statusCode).toBe(201);
    expect((await node.request('POST', `/api/agent/conversations/${chat.id}/close`, {})).statusCode).toBe(200);
    const rated = await node.request('POST', `/api/chat/${chat.id}/rating`, { score: 5, comment: 'Great' }, null, chat.token);
    expect(rated.statusCode, rated.body).toBe(201);
    await node.run();

    expect(events()).toEqual(['conversation.started', 'message.created', 'message.created', 'conversation.assigned', 'message.created', 'conversation.closed', 'rating.created']);
    const now = Math.floor(node.clock.now() / 1000);
    for (const w of receiver.received) {
      expect(verifySignature(hook.secret, w.headers['x-parley-signature'] as string, w.body, now)).toBe(true);
      expect(verifySignature('whsec_wrong', w.headers['x-parley-signature'] as string, w.body, now)).toBe(false);
      expect(verifySignature(hook.secret, w.headers['x-parley-signature'] as string, w.body, now + 3600)).toBe(false);
      expect(w.headers['x-parley-event']).toBe(w.payload.event);
      expect(w.headers['content-type']).toBe('application/json');
      expect(w.payload).toMatchObject({ version: 1, id: expect.stringMatching(/^evt_/), created_at: expect.any(String) });
    }
    const ids = receiver.received.map((w) => Number(w.headers['x-parley-delivery']));
    expect(new Set(ids).size).toBe(ids.length);
    const [started, first, , assigned, reply, closed, rating] = receiver.received.map((w) => w.payload.data) as Record<string, unknown>[];
    expect(started!.conversation).toMatchObject({ id: chat.id, visitor_name: 'Visitor', status: 'open' });
    expect(first!.message).toMatchObject({ conversation_id: chat.id, seq: 1, sender: 'visitor', body: 'Where is my order?' });
    expect(first!.conversation).toMatchObject({ id: chat.id });
    expect(assigned!.conversation).toMatchObject({ assigned_agent_id: me });
    expect(reply!.message).toMatchObject({ sender: 'agent', body: 'On its way' });
    expect(closed!.conversation).toMatchObject({ status: 'closed' });
    expect(rating!.rating).toMatchObject({ score: 5, comment: 'Great' });

    const log = await node.deliveries(hook.id);
    expect(log).toHaveLength(7);
    expect(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.last_status_code === 200 && d.delivered_at !== null)).toBe(true);
  });

  it('sends only the chosen events, and internal notes only to endpoints that include them', async () => {
    const other = new ChatWebhookReceiver();
    await other.start();
    try {
      await node.register(['conversation.closed'], receiver.url);
      await node.register(['conversation.started'], other.url, true);
      const chat = await node.startChat();
      await node.request('POST', `/api/agent/conversations/${chat.id}/notes`, { body: 'Internal', client_message_id: 'n-1' });
      await node.request('POST', `/api/agent/conversations/${chat.id}/close`, {});
      // A later change of a closed conversation is not a second close.
      await node.request('PUT', `/api/agent/conversations/${chat.id}/labels`, { labels: [] });
      await node.run();
      expect(events()).toEqual(['conversation.closed']);
      expect(events(other.delivered())).toEqual(['conversation.started', 'note.created']);
      expect(other.received[1]!.payload.data.note).toMatchObject({ body: 'Internal', conversation_id: chat.id });
    } finally {
      await other.close();
    }
  });

  it('retries 500s and timeouts with back-off, keeping the order of a conversation, and delivers each once', async () => {
    const hook = await node.register(['message.created'], receiver.url);
    const answers: (number | 'hang')[] = [500, 'hang', 503];
    receiver.answer = (_w, i) => answers[i] ?? 200;
    const chat = await node.startChat('first');
    await node.visitorSays(chat, 'second');
    await node.run();
    // The first message failed; the second waits behind it.
    expect(receiver.received.map((w) => w.payload.data.message)).toMatchObject([{ body: 'first' }]);
    let log = await node.deliveries(hook.id);
    expect(log.map((d) => [d.status, d.attempts, d.last_status_code])).toEqual([['pending', 0, null], ['pending', 1, 500]]);
    expect(Date.parse(log[1]!.next_attempt_at!) - node.clock.now()).toBe(30_000);

    // Second attempt after 30 s: the endpoint never answers, and the POST is abandoned after 10 s.
    node.timers.advance(30_000);
    const run = node.run();
    await receiver.count(2);
    node.timers.advance(10_000);
    await run;
    log = await node.deliveries(hook.id);
    expect(log[1]).toMatchObject({ status: 'pending', attempts: 2, last_status_code: null, last_error: 'timed out after 10 s' });
    expect(Date.parse(log[1]!.next_attempt_at!) - node.clock.now()).toBe(60_000);

    await node.advance(59_000);
    expect(receiver.received).toHaveLength(2);
    await node.advance(1_000); // 503
    await node.advance(120_000); // 200, then the second message
    expect(receiver.delivered().map((w) => w.payload.data.message)).toMatchObject([{ body: 'first' }, { body: 'second' }]);
    log = await node.deliveries(hook.id);
    expect(log.map((d) => [d.status, d.attempts, d.last_status_code])).toEqual([['delivered', 1, 200], ['delivered', 4, 200]]);
    await node.advance(24 * 3_600_000);
    expect(receiver.delivered()).toHaveLength(2);
  });

  it('forgets the deliveries of erased conversations and the old finished log', async () => {
    const hook = await node.register(['conversation.started'], receiver.url);
    const kept = await node.startChat();
    const erased = await node.startChat();
    await node.run();
    const store = node.parley.webhooks.deliveries;
    expect(await store.deleteForConversations([erased.id])).toBe(1);
    expect((await node.deliveries(hook.id)).map((d) => d.conversation_id)).toEqual([kept.id]);
    expect(await store.deleteFinishedBefore(node.clock.now() + 1)).toBe(1);
    expect(await node.deliveries(hook.id)).toEqual([]);
  });

  it('redelivers a delivery on request, with the same event id and a new delivery id', async () => {
    const hook = await node.register(['conversation.started'], receiver.url);
    await node.startChat();
    await node.run();
    const [delivery] = await node.deliveries(hook.id);
    const res = await node.request('POST', `/api/agent/webhooks/${hook.id}/deliveries/${delivery!.id}/redeliver`);
    expect(res.statusCode, res.body).toBe(202);
    await node.run();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.payload.id).toBe(receiver.received[0]!.payload.id);
    expect(receiver.received[1]!.headers['x-parley-delivery']).not.toBe(receiver.received[0]!.headers['x-parley-delivery']);
    expect((await node.request('POST', `/api/agent/webhooks/${hook.id}/deliveries/999999/redeliver`)).statusCode).toBe(404);
  });

  it('tries a pending delivery at once when asked to redeliver it, without waiting for its back-off', async () => {
    const hook = await node.register(['conversation.started'], receiver.url);
    receiver.answer = (_w, i) => (i === 0 ? 500 : 200);
    await node.startChat();
    await node.run();
    const [pending] = await node.deliveries(hook.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 });
    const res = await node.request('POST', `/api/agent/webhooks/${hook.id}/deliveries/${pending!.id}/redeliver`);
    expect(res.statusCode, res.body).toBe(202);
    await node.run();
    const log = await node.deliveries(hook.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: pending!.id, status: 'delivered', attempts: 2, last_status_code: 200 });
  });

  it('lets admins list, read, disable, re-enable and delete endpoints, and nobody else', async () => {
    const hook = await node.register(['message.created'], 'http://localhost:8000/parley');
    const list = (await node.request('GET', '/api/agent/webhooks')).json<{ webhooks: WebhookDto[] }>().webhooks;
    expect(list).toEqual([hook]);
    expect(hook).toMatchObject({ url: 'http://localhost:8000/parley', events: ['message.created'], include_notes: false, active: true });
    expect((await node.request('PATCH', `/api/agent/webhooks/${hook.id}`, { active: false })).json()).toMatchObject({ webhook: { active: false } });
    expect((await node.request('PATCH', `/api/agent/webhooks/${hook.id}`, { active: true })).json()).toMatchObject({ webhook: { active: true, disabled_at: null } });
    for (const [url, events] of [['ftp://x.example/', ['message.created']], ['javascript:alert(1)', ['message.created']], [receiver.url, []], [receiver.url, ['message.deleted']]] as const) {
      const res = await node.request('POST', '/api/agent/webhooks', { url, events });
      expect(res.statusCode, res.body).toBe(422);
    }
    expect((await node.request('GET', '/api/agent/webhooks', undefined, null)).statusCode).toBe(401);
    expect((await node.request('DELETE', `/api/agent/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await node.request('DELETE', `/api/agent/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await node.request('GET', `/api/agent/webhooks/${hook.id}/deliveries`)).statusCode).toBe(404);
  });
});
