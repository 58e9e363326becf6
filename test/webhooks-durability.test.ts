import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookDto } from '../src/chat/webhooks/webhook-service.js';
import type { Storage } from '../src/storage/database.js';
import { ChatWebhookReceiver, type ChatWebhook } from './support/chat-webhook-receiver.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';
import { smtpEnv, TestSmtpServer } from './support/smtp-server.js';
import { WebhookNode } from './support/webhook-world.js';

const HOUR = 3_600_000;

/** Per conversation, the message seqs in the order they arrived. */
function arrivals(list: ChatWebhook[]): Map<number, number[]> {
  const byConversation = new Map<number, number[]>();
  for (const w of list) {
    const message = w.payload.data.message as { conversation_id: number; seq: number };
    byConversation.set(message.conversation_id, [...(byConversation.get(message.conversation_id) ?? []), message.seq]);
  }
  return byConversation;
}

describe.each(ENGINES)('chat webhooks across restarts and nodes on %s', (engine) => {
  let storage: Storage;
  let receiver: ChatWebhookReceiver;
  const nodes: WebhookNode[] = [];
  const startNode = async (nodeId: string, env: Record<string, string> = {}) => {
    const node = await WebhookNode.start(storage, { nodeId, env, ...(nodes[0] ? { clock: nodes[0].clock } : {}) });
    nodes.push(node);
    return node;
  };

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    receiver = new ChatWebhookReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    await receiver?.close();
    await storage?.close();
  });

  it('delivers the rest of the queue once after a restart of Parley, in order per conversation', async () => {
    const a = await startNode('node-a');
    await a.register(['message.created'], receiver.url);
    receiver.answer = () => 500;
    for (let i = 0; i < 3; i++) {
      const chat = await a.startChat(`c${i} first`);
      await a.visitorSays(chat, `c${i} second`);
      await a.visitorSays(chat, `c${i} third`);
    }
    await a.run();
    expect(receiver.received).toHaveLength(3); // the first of each conversation, refused
    await a.close();
    nodes.splice(0);

    receiver.answer = () => 200;
    const b = await startNode('node-b');
    // A node that claimed a delivery and died: its lease runs out and another node sends it.
    const [dead] = await b.parley.webhooks.deliveries.claimDue('node-dead', b.clock.now() + 30_000, 60_000, 1);
    expect(dead).toBeDefined();
    await b.advance(30_000);
    for (let i = 0; i < 5 && receiver.delivered().length < 9; i++) await b.advance(60_000);
    const delivered = receiver.delivered();
    expect(delivered).toHaveLength(9);
    expect(new Set(delivered.map((w) => w.headers['x-parley-delivery'])).size).toBe(9);
    expect([...arrivals(delivered).values()]).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    await b.advance(HOUR);
    expect(receiver.delivered()).toHaveLength(9);
  });

  // Two nodes share a database only on PostgreSQL: registered there alone, so no run reports a skip.
  if (engine === 'pgsql') {
    it('two nodes on one database deliver each event once, in order per conversation', async () => {
      const a = await startNode('node-a');
      const b = await startNode('node-b');
      await a.register(['message.created'], receiver.url);
      // Every third answer fails: both nodes retry, neither sends a delivery the other holds.
      receiver.answer = (_w, i) => (i % 3 === 2 ? 500 : 200);
      const chats = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? a : b).startChat(`c${i} 1`)));
      for (let n = 2; n <= 4; n++) await Promise.all(chats.map((chat, i) => (i % 2 ? b : a).visitorSays(chat, `c${i} ${n}`)));
      for (let round = 0; round < 12 && receiver.delivered().length < 24; round++) {
        await Promise.all([a.run(), b.run()]);
        a.timers.advance(30_000 * 2 ** Math.min(round, 4));
      }
      const delivered = receiver.delivered();
      expect(delivered).toHaveLength(24);
      expect(new Set(delivered.map((w) => w.payload.id)).size).toBe(24);
      for (const seqs of arrivals(delivered).values()) expect(seqs).toEqual([1, 2, 3, 4]);
      const counts = await a.parley.webhooks.deliveries.counts();
      expect(counts).toEqual({ pending: 0, delivered: 24, failed: 0 });
    });
  }

  it('disables an endpoint failing for a day, emails every admin once, and delivers again once re-enabled', async () => {
    const smtp = await TestSmtpServer.start();
    try {
      const a = await startNode('node-a', smtpEnv(smtp.port));
      const hook = await a.register(['message.created', 'conversation.closed'], receiver.url);
      receiver.answer = () => 500;
      const chat = await a.startChat('anyone there?');
      await a.run();
      for (let i = 0; i < 20 && (await a.parley.webhooks.store.get(hook.id))?.active === 1; i++) await a.advance(2 * HOUR);
      await a.login();
      const got = await a.request('GET', `/api/agent/webhooks/${hook.id}`);
      expect(got.statusCode, got.body).toBe(200);
      const disabled = got.json<{ webhook: WebhookDto }>().webhook;
      expect(disabled).toMatchObject({ active: false, disabled_at: expect.any(String), failing_since: expect.any(String) });
      expect(Date.parse(disabled.disabled_at!) - Date.parse(disabled.failing_since!)).toBeGreaterThanOrEqual(24 * HOUR);
      // Still queued (its 13 attempts are not used up), waiting for the endpoint to come back.
      const [waiting] = await a.deliveries(hook.id);
      expect(waiting).toMatchObject({ status: 'pending', last_status_code: 500, last_error: 'HTTP 500' });
      expect(waiting!.attempts).toBeLessThan(13);

      await a.parley.mail.worker.runOnce();
      // Other emails (the new conversation, the unanswered reminder) went to the admin too.
      const notices = smtp.received.filter((m) => m.subject === `Webhook disabled: ${receiver.url}`);
      expect(notices).toHaveLength(1);
      expect(notices[0]!.recipients).toEqual(['admin@example.test']);
      expect(notices[0]!.text).toContain('has failed every delivery since');

      const seen = receiver.received.length;
      await a.request('POST', `/api/agent/conversations/${chat.id}/close`, {});
      await a.advance(HOUR);
      expect(receiver.received).toHaveLength(seen);

      receiver.answer = () => 200;
      expect((await a.request('PATCH', `/api/agent/webhooks/${hook.id}`, { active: true })).statusCode).toBe(200);
      await a.startChat('hello again');
      await a.run();
      // The queued delivery and a new message; the close made while disabled was not queued.
      expect(receiver.delivered().map((w) => (w.payload.data.message as { body: string }).body).sort()).toEqual(['anyone there?', 'hello again']);
    } finally {
      await smtp.close();
    }
  });

  it('refuses agents who are not admins, and answers malformed requests without a 5xx', async () => {
    const a = await startNode('node-a');
    const created = await a.request('POST', '/api/agent/agents', { email: 'sam@example.test', name: 'Sam', password: 'sam password 123', role: 'agent' });
    expect(created.statusCode, created.body).toBe(201);
    const login = await a.request('POST', '/api/agent/login', { email: 'sam@example.test', password: 'sam password 123' }, null);
    const sam = { cookie: `parley_session=${login.cookies.find((c) => c.name === 'parley_session')?.value}`, 'x-csrf-token': login.json<{ csrf_token: string }>().csrf_token };
    expect((await a.request('GET', '/api/agent/webhooks', undefined, sam)).statusCode).toBe(403);
    expect((await a.request('POST', '/api/agent/webhooks', { url: receiver.url, events: ['message.created'] }, sam)).statusCode).toBe(403);
    const hook = await a.register(['message.created'], receiver.url);

    const anything = fc.oneof(fc.jsonValue(), fc.record({ url: fc.oneof(fc.webUrl(), fc.string()), events: fc.array(fc.oneof(fc.constantFrom('message.created', 'rating.created'), fc.string())), include_notes: fc.jsonValue() }, { requiredKeys: [] }));
    const segment = fc.oneof(fc.constant(String(hook.id)), fc.string({ maxLength: 24 }).map(encodeURIComponent), fc.bigInt({ min: -10n, max: 10n ** 20n }).map(String));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE' as const), segment, segment, anything, async (method, id, delivery, body) => {
        const urls = ['/api/agent/webhooks', `/api/agent/webhooks/${id}`, `/api/agent/webhooks/${id}/deliveries?limit=${delivery}`, `/api/agent/webhooks/${id}/deliveries/${delivery}/redeliver`];
        for (const url of urls) {
          const res = await a.request(method === 'DELETE' && url === `/api/agent/webhooks/${hook.id}` ? 'GET' : method, url, method === 'GET' || method === 'DELETE' ? undefined : body);
          expect(res.statusCode, `${method} ${url} ${res.body}`).toBeLessThan(500);
        }
      }),
      { numRuns: 40 },
    );
  });
});
