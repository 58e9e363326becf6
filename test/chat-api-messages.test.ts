import { describe, expect, it } from 'vitest';
import { auth, FP_A, IP_1, useChatApi } from './support/chat-api.js';
import { ENGINES } from './support/engines.js';

describe.each(ENGINES)('customer chat API on %s', (engine) => {
  const chat = useChatApi(engine);
  const { start, send, poll, status } = chat;

  describe('starting and talking', () => {
    it('starts a conversation with a first message and answers 201 with a visitor token', async () => {
      const { res, body } = await start({ fingerprint: FP_A, name: 'Ann', message: 'Hello', client_message_id: 'c1', page_url: 'https://shop.example/cart' });
      expect(res.statusCode).toBe(201);
      expect(body.resumed).toBe(false);
      expect(body.visitor_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body.conversation).toMatchObject({ status: 'open', last_seq: 1 });
      expect(body.messages).toMatchObject([{ seq: 1, sender: 'visitor', body: 'Hello', client_message_id: 'c1' }]);
    });

    it('stores the fingerprint and token only as keyed hashes, with the IP and user agent', async () => {
      const { body } = await start({ fingerprint: FP_A });
      const row = await chat.h.parley.storage.db.selectFrom('conversations').selectAll().where('id', '=', body.conversation.id).executeTakeFirstOrThrow();
      expect(row.client_fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(row.client_fingerprint).not.toBe(FP_A);
      expect(row.visitor_token_hash).not.toContain(body.visitor_token);
      expect(row.client_ip).toBe(IP_1);
      expect(row.user_agent).toContain('ParleyTest');
    });

    it('sends, then polls only what came after a seq', async () => {
      const { body } = await start({ message: 'one' });
      const id = body.conversation.id;
      expect((await send(id, body.visitor_token, { body: 'two', client_message_id: 'c2' })).statusCode).toBe(201);
      expect((await send(id, body.visitor_token, { body: 'three' })).statusCode).toBe(201);
      const after1 = await poll(id, body.visitor_token, 1);
      expect(after1.messages.map((m) => [m.seq, m.body])).toEqual([
        [2, 'two'],
        [3, 'three'],
      ]);
      expect(after1.last_seq).toBe(3);
      expect((await poll(id, body.visitor_token, 3)).messages).toEqual([]);
    });

    it('answers the same message with 200 when a client_message_id is sent again, storing it once', async () => {
      const { body } = await start();
      const id = body.conversation.id;
      const first = await send(id, body.visitor_token, { body: 'retry me', client_message_id: 'retry-1' });
      const again = await send(id, body.visitor_token, { body: 'retry me', client_message_id: 'retry-1' });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(200);
      expect(again.json().message).toEqual(first.json().message);
      expect((await poll(id, body.visitor_token)).messages).toHaveLength(1);
      expect(chat.h.events.events.filter((e) => e.name === 'MessageSent')).toHaveLength(1);
    });

    it('keeps 30 concurrent sends, 10 of them retries, as exactly 20 messages numbered 1..20', async () => {
      const { body } = await start();
      const id = body.conversation.id;
      const sends = Array.from({ length: 30 }, (_, i) => send(id, body.visitor_token, { body: `m${i % 20}`, client_message_id: `id-${i % 20}` }));
      const codes = (await Promise.all(sends)).map((r) => r.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(20);
      expect(codes.filter((c) => c === 200)).toHaveLength(10);
      const seqs = (await poll(id, body.visitor_token)).messages.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('fires 50 sends at once through the API and finds seq 1..50 exactly once each', async () => {
      const { body } = await start();
      const id = body.conversation.id;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => send(id, body.visitor_token, { body: `burst ${i}`, client_message_id: `b-${i}` })));
      expect(results.every((r) => r.statusCode === 201)).toBe(true);
      const seqs = (await poll(id, body.visitor_token)).messages.map((m) => m.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('reports status with resumable, last_seq and the assigned agent', async () => {
      const { body } = await start({ message: 'hi' });
      const res = await status(body.conversation.id, body.visitor_token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: body.conversation.id, status: 'open', resumable: true, last_seq: 1, agent: null });
    });

    it('records the read marker and broadcasts MessagesRead with 204', async () => {
      const { body } = await start({ message: 'hi' });
      const res = await chat.h.request({ method: 'POST', url: `/api/chat/${body.conversation.id}/read`, headers: auth(body.visitor_token), json: { seq: 1 } });
      expect(res.statusCode).toBe(204);
      expect(chat.h.events.events.at(-1)).toMatchObject({ name: 'MessagesRead', conversationId: body.conversation.id, reader: { type: 'visitor' }, seq: 1 });
    });

    it('refuses a send to a closed conversation with 409 and stores nothing', async () => {
      const { body } = await start({ message: 'hi' });
      const agent = await chat.h.loginAs();
      await chat.h.request({ method: 'POST', url: `/api/agent/conversations/${body.conversation.id}/close`, headers: agent.headers });
      const res = await send(body.conversation.id, body.visitor_token, { body: 'anyone?' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('conversation_closed');
      expect((await poll(body.conversation.id, body.visitor_token)).last_seq).toBe(1);
    });

    it('broadcasts ConversationStarted and then MessageSent, after they are stored', async () => {
      const { body } = await start({ message: 'hi' });
      expect(chat.h.events.events.map((e) => e.name)).toEqual(['ConversationStarted', 'MessageSent']);
      const sent = chat.h.events.events[1];
      const stored = await chat.h.parley.storage.db.selectFrom('messages').selectAll().where('conversation_id', '=', body.conversation.id).execute();
      expect(sent).toMatchObject({ message: { id: stored[0]?.id, seq: 1 } });
    });
  });
});
