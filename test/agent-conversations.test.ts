import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { AGENT, ANOTHER_IP, expectFailure, newFingerprint, type Transcript, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Agent API: a conversation's transcript, and agent replies.

describe.each(ENGINES)('agent API on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, startChat, visitorSend, visitorMessages, transcript, reply, createAgent, eventsNamed } = api;

  describe('transcript', () => {
    it('answers the conversation with its messages in seq order', async () => {
      const chat = await startChat({ message: 'one' });
      expect((await visitorSend(chat, 'two')).statusCode).toBe(201);
      expect((await reply(chat.conversation.id, 'three')).statusCode).toBe(201);
      expect((await visitorSend(chat, 'four')).statusCode).toBe(201);
      const t = await transcript(chat.conversation.id);
      expect(t.conversation).toMatchObject({ id: chat.conversation.id, status: 'open', last_seq: 4, unread_count: 3 });
      expect(t.messages.map((m) => [m.seq, m.sender, m.body])).toEqual([
        [1, 'visitor', 'one'],
        [2, 'visitor', 'two'],
        [3, 'agent', 'three'],
        [4, 'visitor', 'four'],
      ]);
      expect(t.messages[2]?.author_name).toBe('Admin');
      expect(t.messages.every((m) => m.conversation_id === chat.conversation.id)).toBe(true);
    });

    it('pages messages with after and limit', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      await visitorSend(chat, 'three');
      expect((await get(`/api/agent/conversations/${chat.conversation.id}?after=1`)).json<Transcript>().messages.map((m) => m.seq)).toEqual([2, 3]);
      expect((await get(`/api/agent/conversations/${chat.conversation.id}?limit=2`)).json<Transcript>().messages.map((m) => m.seq)).toEqual([1, 2]);
      expectFailure(await get(`/api/agent/conversations/${chat.conversation.id}?after=-1`), 422, 'validation_failed', 'after');
    });

    it('answers no messages for an after beyond any seq, even past 32 bits', async () => {
      const chat = await startChat({ message: 'one' });
      const res = await get(`/api/agent/conversations/${chat.conversation.id}?after=3000000000`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Transcript>().messages).toEqual([]);
    });

    it('lists earlier_conversations from the same fingerprint, and only those', async () => {
      const fingerprint = newFingerprint();
      const earlier = await startChat({ fingerprint, message: 'last week' });
      await post(`/api/agent/conversations/${earlier.conversation.id}/close`);
      api.h.clock.advance(1000);
      const stranger = await startChat({ message: 'someone else' });
      api.h.clock.advance(1000);
      const current = await startChat({ fingerprint, message: 'back again' });
      expect(current.conversation.id).not.toBe(earlier.conversation.id);

      const t = await transcript(current.conversation.id);
      expect(t.earlier_conversations.map((c) => c.id)).toEqual([earlier.conversation.id]);
      expect(t.earlier_conversations[0]).toMatchObject({ status: 'closed', last_message: { body: 'last week' } });
      expect((await transcript(stranger.conversation.id)).earlier_conversations).toEqual([]);
    });

    it('does not count a later conversation from the same device among earlier_conversations', async () => {
      const fingerprint = newFingerprint();
      const first = await startChat({ fingerprint });
      api.h.clock.advance(1000);
      // Same fingerprint from another network: a new conversation (rule 4).
      const later = await startChat({ fingerprint, ip: ANOTHER_IP });
      expect((await transcript(later.conversation.id)).earlier_conversations.map((c) => c.id)).toEqual([first.conversation.id]);
      expect((await transcript(first.conversation.id)).earlier_conversations).toEqual([]);
    });

    it('answers earlier_conversations [] for a conversation started without a fingerprint', async () => {
      const anonymous = await startChat({ fingerprint: null });
      expect((await transcript(anonymous.conversation.id)).earlier_conversations).toEqual([]);
    });

    it.each(['999999', 'abc', '0', '-1', '1.5', '9999999999999999', '99999999999999999999'])('answers 404 not_found for conversation id %s', async (id) => {
      await startChat();
      expectFailure(await get(`/api/agent/conversations/${id}`), 404, 'not_found');
    });
  });

  describe('reply', () => {
    it('answers 201 {message} with sender agent and author_name, and the visitor sees it', async () => {
      const chat = await startChat();
      const res = await reply(chat.conversation.id, 'How can I help?', 'reply-1');
      expect(res.statusCode, res.body).toBe(201);
      const { message } = res.json<{ message: MessageDto }>();
      expect(message).toMatchObject({
        conversation_id: chat.conversation.id,
        seq: 2,
        sender: 'agent',
        author_name: 'Admin',
        body: 'How can I help?',
        client_message_id: 'reply-1',
      });
      expect(new Date(message.created_at).getTime()).toBe(api.h.clock.now());
      expect((await visitorMessages(chat)).at(-1)).toEqual(message);
    });

    it('records a MessageSent event with the stored message', async () => {
      const chat = await startChat();
      const { message } = (await reply(chat.conversation.id, 'On it')).json<{ message: MessageDto }>();
      expect(api.h.events.events.at(-1)).toEqual({ name: 'MessageSent', conversationId: chat.conversation.id, message });
    });

    it('answers 200 with the same message for the same client_message_id, and stores no second row', async () => {
      const chat = await startChat();
      const first = await reply(chat.conversation.id, 'Once only', 'dup-1');
      const sentEvents = eventsNamed('MessageSent').length;
      const again = await reply(chat.conversation.id, 'Once only', 'dup-1');
      expect(first.statusCode).toBe(201);
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json<{ message: MessageDto }>()).toEqual(first.json<{ message: MessageDto }>());
      expect((await transcript(chat.conversation.id)).messages.filter((m) => m.body === 'Once only')).toHaveLength(1);
      expect(eventsNamed('MessageSent')).toHaveLength(sentEvents);
    });

    it("refuses a client_message_id already used by the visitor's message instead of answering the visitor's message", async () => {
      const chat = await startChat({ message: null });
      expect((await visitorSend(chat, 'visitor words', 'shared-id')).statusCode).toBe(201);
      expectFailure(await reply(chat.conversation.id, 'agent words', 'shared-id'), 422, 'validation_failed', 'client_message_id');
      expect((await transcript(chat.conversation.id)).messages.map((m) => m.body)).toEqual(['visitor words']);
    });

    it('accepts a reply without client_message_id and keeps the body exactly as sent', async () => {
      const chat = await startChat();
      const res = await reply(chat.conversation.id, '  <b>not html</b>\n  second line ', null);
      expect(res.statusCode, res.body).toBe(201);
      const { message } = res.json<{ message: MessageDto }>();
      expect(message.body).toBe('  <b>not html</b>\n  second line ');
      expect(message).not.toHaveProperty('client_message_id');
    });

    it('accepts a body of exactly 5000 characters', async () => {
      const chat = await startChat();
      expect((await reply(chat.conversation.id, 'x'.repeat(5000))).statusCode).toBe(201);
    });

    it.each([
      ['a blank body', { body: '   \n\t ' }, 'body'],
      ['an empty body', { body: '' }, 'body'],
      ['a body over 5000 characters', { body: 'x'.repeat(5001) }, 'body'],
      ['a missing body', {}, 'body'],
      ['a body that is not a string', { body: 42 }, 'body'],
      ['a malformed client_message_id', { body: 'hi', client_message_id: 'has spaces in it' }, 'client_message_id'],
    ])('answers 422 for %s, naming the field, and stores nothing', async (_label, json, field) => {
      const chat = await startChat();
      const events = api.h.events.events.length;
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/messages`, json), 422, 'validation_failed', field);
      expect((await transcript(chat.conversation.id)).messages).toHaveLength(1);
      expect(api.h.events.events).toHaveLength(events);
    });

    it('answers 409 conversation_closed for a reply to a closed conversation', async () => {
      const chat = await startChat();
      await post(`/api/agent/conversations/${chat.conversation.id}/close`);
      expectFailure(await reply(chat.conversation.id, 'too late'), 409, 'conversation_closed');
      expect((await transcript(chat.conversation.id)).messages).toHaveLength(1);
    });

    it('answers 404 not_found for a reply to an unknown conversation', async () => {
      expectFailure(await reply(424242, 'anyone there?'), 404, 'not_found');
      expectFailure(await reply(Number.NaN, 'anyone there?'), 404, 'not_found');
    });

    it('names the replying agent as author', async () => {
      const chat = await startChat();
      await createAgent();
      const sam = await api.h.loginAs(AGENT.email, AGENT.password);
      const { message } = (await reply(chat.conversation.id, 'Sam here', undefined, sam)).json<{ message: MessageDto }>();
      expect(message.author_name).toBe(AGENT.name);
    });
  });
});
