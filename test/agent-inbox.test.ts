import { describe, expect, it } from 'vitest';
import { AGENT, expectFailure, type Inbox, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Agent API: the conversation list (filters and paging).

describe.each(ENGINES)('agent API on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, startChat, visitorSend, inbox, inboxIds, reply, createAgent } = api;

  describe('conversation list', () => {
    it('lists conversations newest activity first, with unread_count and last_message', async () => {
      const first = await startChat({ message: 'first chat' });
      api.h.clock.advance(1000);
      const second = await startChat({ message: 'second chat' });
      const { conversations, next_cursor } = await inbox();
      expect(conversations.map((c) => c.id)).toEqual([second.conversation.id, first.conversation.id]);
      expect(next_cursor).toBeNull();
      expect(conversations[0]).toMatchObject({ status: 'open', unread_count: 1, visitor_name: 'Visitor', agent: null, assigned_agent_id: null });
      expect(conversations[0]?.last_message).toMatchObject({ seq: 1, sender: 'visitor', body: 'second chat' });
      expect(conversations[0]?.fingerprint_short).toMatch(/^[0-9a-f]{12}$/);
    });

    it('moves a conversation to the top when a new message arrives, and counts unread visitor messages only', async () => {
      const older = await startChat({ message: 'one' });
      api.h.clock.advance(1000);
      const newer = await startChat();
      api.h.clock.advance(1000);
      expect((await visitorSend(older, 'two')).statusCode).toBe(201);
      expect(await inboxIds()).toEqual([older.conversation.id, newer.conversation.id]);
      expect((await inbox()).conversations[0]).toMatchObject({ unread_count: 2, last_message: { seq: 2, body: 'two' } });

      api.h.clock.advance(1000);
      expect((await reply(older.conversation.id, 'an answer')).statusCode).toBe(201);
      const row = (await inbox()).conversations[0];
      expect(row?.unread_count).toBe(2);
      expect(row?.last_message).toMatchObject({ seq: 3, sender: 'agent', author_name: 'Admin', body: 'an answer' });
    });

    it('shows last_message null and unread_count 0 for a conversation with no messages', async () => {
      const silent = await startChat({ message: null });
      const row = (await inbox()).conversations.find((c) => c.id === silent.conversation.id);
      expect(row).toMatchObject({ unread_count: 0, last_message: null, last_seq: 0 });
    });

    it('filters by status=open and status=closed', async () => {
      const open = await startChat();
      const closed = await startChat();
      expect((await post(`/api/agent/conversations/${closed.conversation.id}/close`)).statusCode).toBe(200);
      expect(await inboxIds('?status=open')).toEqual([open.conversation.id]);
      expect(await inboxIds('?status=closed')).toEqual([closed.conversation.id]);
      expect((await inboxIds()).sort()).toEqual([open.conversation.id, closed.conversation.id].sort());
    });

    it('filters by assigned=me, assigned=none and assigned=any', async () => {
      const mine = await startChat();
      const theirs = await startChat();
      const nobodys = await startChat();
      const sam = await createAgent();
      expect((await post(`/api/agent/conversations/${mine.conversation.id}/assign`, {})).statusCode).toBe(200);
      expect((await post(`/api/agent/conversations/${theirs.conversation.id}/assign`, { agent_id: sam.id })).statusCode).toBe(200);
      const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
      expect(await inboxIds('?assigned=me')).toEqual([mine.conversation.id]);
      expect(await inboxIds('?assigned=none')).toEqual([nobodys.conversation.id]);
      expect(sorted(await inboxIds('?assigned=any'))).toEqual(sorted([mine, theirs, nobodys].map((c) => c.conversation.id)));
      const samSession = await api.h.loginAs(AGENT.email, AGENT.password);
      expect((await inbox('?assigned=me', samSession)).conversations.map((c) => c.id)).toEqual([theirs.conversation.id]);
      expect((await inbox('?assigned=me', samSession)).conversations[0]?.agent).toEqual({ id: sam.id, name: AGENT.name });
    });

    it('combines the status and assigned filters', async () => {
      const a = await startChat();
      const b = await startChat();
      await post(`/api/agent/conversations/${a.conversation.id}/assign`, {});
      await post(`/api/agent/conversations/${b.conversation.id}/assign`, {});
      await post(`/api/agent/conversations/${b.conversation.id}/close`);
      expect(await inboxIds('?status=open&assigned=me')).toEqual([a.conversation.id]);
      expect(await inboxIds('?status=closed&assigned=me')).toEqual([b.conversation.id]);
      expect(await inboxIds('?status=open&assigned=none')).toEqual([]);
    });

    it('pages with limit and next_cursor, newest first, and ends with next_cursor null', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await startChat()).conversation.id);
        api.h.clock.advance(1000);
      }
      const expected = [...ids].reverse();
      const page1 = await inbox('?limit=2');
      expect(page1.conversations.map((c) => c.id)).toEqual(expected.slice(0, 2));
      expect(page1.next_cursor).toEqual(expect.any(String));
      const page2 = await inbox(`?limit=2&cursor=${encodeURIComponent(page1.next_cursor ?? '')}`);
      expect(page2.conversations.map((c) => c.id)).toEqual(expected.slice(2, 4));
      const page3 = await inbox(`?limit=2&cursor=${encodeURIComponent(page2.next_cursor ?? '')}`);
      expect(page3.conversations.map((c) => c.id)).toEqual(expected.slice(4));
      expect(page3.next_cursor).toBeNull();
    });

    it('answers next_cursor null on a last page that is exactly full', async () => {
      for (let i = 0; i < 4; i++) {
        await startChat();
        api.h.clock.advance(1000);
      }
      const page1 = await inbox('?limit=2');
      expect(page1.next_cursor).not.toBeNull();
      const page2 = await inbox(`?limit=2&cursor=${encodeURIComponent(page1.next_cursor ?? '')}`);
      expect(page2.conversations).toHaveLength(2);
      expect(page2.next_cursor).toBeNull();
      expect((await inbox('?limit=4')).next_cursor).toBeNull();
    });

    it('pages through conversations with equal activity times without skipping or repeating any', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push((await startChat()).conversation.id);
      const seen: number[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page: Inbox = await inbox(`?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.next_cursor;
        expect(seen.length).toBeLessThanOrEqual(3);
      }
      expect(seen).toEqual([...ids].reverse());
    });

    it('pages within a filter', async () => {
      const open: number[] = [];
      for (let i = 0; i < 3; i++) {
        const chat = await startChat();
        api.h.clock.advance(1000);
        if (i === 1) await post(`/api/agent/conversations/${chat.conversation.id}/close`);
        else open.push(chat.conversation.id);
      }
      const page1 = await inbox('?status=open&limit=1');
      const page2 = await inbox(`?status=open&limit=1&cursor=${encodeURIComponent(page1.next_cursor ?? '')}`);
      expect([...page1.conversations, ...page2.conversations].map((c) => c.id)).toEqual([...open].reverse());
      expect(page2.next_cursor).toBeNull();
    });

    it.each([
      ['status=pending', 'status'],
      ['status=', 'status'],
      ['assigned=someone', 'assigned'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1.5', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['cursor=99999999999999999999.1', 'cursor'],
    ])('answers 422 validation_failed naming the field for ?%s', async (query, field) => {
      expectFailure(await get(`/api/agent/conversations?${query}`), 422, 'validation_failed', field);
    });
  });
});
