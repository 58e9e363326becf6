import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationStore } from '../src/storage/conversation-store.js';
import type { Storage } from '../src/storage/database.js';
import type { NewConversation } from '../src/storage/schema.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';

const T0 = Date.UTC(2026, 0, 1);

function newConversation(overrides: Partial<NewConversation> = {}): NewConversation {
  return {
    status: 'open',
    client_fingerprint: 'fp-hash',
    client_ip: '203.0.113.5',
    user_agent: 'UA',
    visitor_token_hash: `token-${Math.random()}`,
    visitor_name: null,
    visitor_email: null,
    page_url: null,
    referrer: null,
    assigned_agent_id: null,
    last_seq: 0,
    visitor_read_seq: 0,
    agent_read_seq: 0,
    created_at: T0,
    last_activity_at: T0,
    closed_at: null,
    ...overrides,
  };
}

describe.each(ENGINES)('storage on %s', (engine) => {
  let storage: Storage;
  let store: ConversationStore;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    store = new ConversationStore(storage.db);
  });
  afterEach(async () => {
    await storage?.close();
  });

  const send = (conversationId: number, body: string, clientMessageId: string | null = null) =>
    store.append({ conversationId, sender: 'visitor', agentId: null, body, clientMessageId, now: T0 + 1, requireOpen: true });

  it('numbers messages 1, 2, 3… per conversation, independently for each conversation', async () => {
    const a = await store.create(newConversation());
    const b = await store.create(newConversation());
    for (const body of ['one', 'two', 'three']) await send(a.id, body);
    await send(b.id, 'other');
    expect((await store.messages(a.id, { after: 0, limit: 10 })).map((m) => [m.seq, m.body])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect((await store.messages(b.id, { after: 0, limit: 10 })).map((m) => m.seq)).toEqual([1]);
    expect((await store.get(a.id))?.last_seq).toBe(3);
  });

  it('keeps seq gap-free and unique when 50 sends hit one conversation at once', async () => {
    const c = await store.create(newConversation());
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => send(c.id, `message ${i}`, `cm-${i}`)));
    expect(results.every((r) => r.kind === 'created')).toBe(true);
    const seqs = (await store.messages(c.id, { after: 0, limit: 100 })).map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await store.get(c.id))?.last_seq).toBe(50);
  });

  it('stores a client_message_id once even when the same send races with itself', async () => {
    const c = await store.create(newConversation());
    const results = await Promise.all(Array.from({ length: 10 }, () => send(c.id, 'same', 'dup-1')));
    expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(9);
    const rows = await store.messages(c.id, { after: 0, limit: 100 });
    expect(rows).toHaveLength(1);
    expect((await store.get(c.id))?.last_seq).toBe(1);
    await send(c.id, 'next', 'dup-2');
    expect((await store.messages(c.id, { after: 0, limit: 100 })).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('refuses visitor messages on a closed conversation and reports a missing one', async () => {
    const c = await store.create(newConversation());
    await store.update(c.id, { status: 'closed', closed_at: T0 + 5 });
    expect((await send(c.id, 'late')).kind).toBe('closed');
    expect((await send(999_999, 'nowhere')).kind).toBe('missing');
    expect((await store.get(c.id))?.last_seq).toBe(0);
  });

  it('answers messages after a seq, limited, and from a visibility floor', async () => {
    const c = await store.create(newConversation());
    for (let i = 1; i <= 6; i++) await send(c.id, `m${i}`);
    expect((await store.messages(c.id, { after: 2, limit: 3 })).map((m) => m.seq)).toEqual([3, 4, 5]);
    expect((await store.messages(c.id, { after: 0, limit: 10, fromSeq: 5 })).map((m) => m.seq)).toEqual([5, 6]);
  });

  it('moves read markers forward only and never past the last message', async () => {
    const c = await store.create(newConversation());
    for (let i = 0; i < 3; i++) await send(c.id, 'x');
    expect(await store.markRead(c.id, 'agent_read_seq', 2)).toBe(2);
    expect(await store.markRead(c.id, 'agent_read_seq', 1)).toBe(2);
    expect(await store.markRead(c.id, 'agent_read_seq', 99)).toBe(3);
    expect(await store.markRead(999_999, 'agent_read_seq', 1)).toBeUndefined();
  });

  it('finds a conversation only through one of its tokens', async () => {
    const c = await store.create(newConversation({ visitor_token_hash: 'h1' }));
    await store.addToken(c.id, 'h2', 4, T0);
    expect((await store.findByToken(c.id, 'h1'))?.visibleFromSeq).toBe(1);
    expect((await store.findByToken(c.id, 'h2'))?.visibleFromSeq).toBe(4);
    expect(await store.findByToken(c.id, 'nope')).toBeUndefined();
    const other = await store.create(newConversation({ visitor_token_hash: 'h3' }));
    expect(await store.findByToken(other.id, 'h1')).toBeUndefined();
  });

  it('lets a resume ticket be consumed once, and only before it expires', async () => {
    const c = await store.create(newConversation());
    await store.insertTicket({ ticket_hash: 't1', conversation_id: c.id, fingerprint_hash: 'f', client_ip: 'ip', expires_at: T0 + 1000, used_at: null });
    await store.insertTicket({ ticket_hash: 't2', conversation_id: c.id, fingerprint_hash: 'f', client_ip: 'ip', expires_at: T0 + 1000, used_at: null });
    expect((await store.consumeTicket('t1', T0))?.conversation_id).toBe(c.id);
    expect(await store.consumeTicket('t1', T0)).toBeUndefined();
    expect(await store.consumeTicket('t2', T0 + 1000)).toBeUndefined();
  });

  it('stores the starting Origin and finds open conversations from one IP only for that origin', async () => {
    const shop = await store.create(newConversation({ origin: 'https://shop.example' }));
    await store.create(newConversation({ origin: 'https://evil.example' }));
    const bare = await store.create(newConversation());
    expect((await store.get(shop.id))?.origin).toBe('https://shop.example');
    expect((await store.get(bare.id))?.origin).toBeNull();
    expect((await store.openFromIp('203.0.113.5', 'https://shop.example', T0)).map((c) => c.id)).toEqual([shop.id]);
    expect(await store.openFromIp('203.0.113.9', 'https://shop.example', T0)).toEqual([]);
  });

  it('finds the live ticket of a device, IP and conversation: not a used, expired or seedless one', async () => {
    const c = await store.create(newConversation());
    const holder = { conversation_id: c.id, fingerprint_hash: 'f', client_ip: 'ip' };
    await store.insertTicket({ ...holder, ticket_hash: 'old', expires_at: T0 + 500, used_at: null, seed: 's0' });
    await store.insertTicket({ ...holder, ticket_hash: 'legacy', expires_at: T0 + 2000, used_at: null });
    await store.insertTicket({ ...holder, ticket_hash: 'live', expires_at: T0 + 1000, used_at: null, seed: 's1' });
    expect((await store.liveTicket(c.id, 'f', 'ip', T0))?.seed).toBe('s1');
    expect(await store.liveTicket(c.id, 'other', 'ip', T0)).toBeUndefined();
    expect(await store.liveTicket(c.id, 'f', 'other-ip', T0)).toBeUndefined();
    await store.consumeTicket('live', T0);
    expect((await store.liveTicket(c.id, 'f', 'ip', T0))?.seed).toBe('s0');
    expect(await store.liveTicket(c.id, 'f', 'ip', T0 + 500)).toBeUndefined();
  });

  it('lists conversations by last activity with status and assignment filters and a cursor', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.create(newConversation({ last_activity_at: T0 + i }))).id);
    await store.update(ids[0] as number, { status: 'closed', closed_at: T0 });
    const open = await store.list({ status: 'open', limit: 2 });
    expect(open.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    const last = open[1] as (typeof open)[number];
    const next = await store.list({ status: 'open', limit: 10, before: { lastActivityAt: last.last_activity_at, id: last.id } });
    expect(next.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    expect((await store.list({ status: 'closed', limit: 10 })).map((c) => c.id)).toEqual([ids[0]]);
    expect(await store.list({ assignedTo: 'none', limit: 10 })).toHaveLength(5);
  });

  it('counts unread visitor messages and finds each conversation’s newest message', async () => {
    const c = await store.create(newConversation());
    await send(c.id, 'a');
    await send(c.id, 'b');
    await store.append({ conversationId: c.id, sender: 'system', agentId: null, body: 'note', clientMessageId: null, now: T0, requireOpen: true });
    expect((await store.unreadByAgents([c.id])).get(c.id)).toBe(2);
    await store.markRead(c.id, 'agent_read_seq', 1);
    expect((await store.unreadByAgents([c.id])).get(c.id)).toBe(1);
    expect((await store.lastMessages([c.id])).get(c.id)?.body).toBe('note');
  });

  it('purges closed conversations past retention, with their messages', async () => {
    const old = await store.create(newConversation());
    await send(old.id, 'bye');
    await store.update(old.id, { status: 'closed', closed_at: T0 });
    const recent = await store.create(newConversation());
    await store.update(recent.id, { status: 'closed', closed_at: T0 + 10_000 });
    expect(await store.purgeClosed(T0 + 1)).toBe(1);
    expect(await store.get(old.id)).toBeUndefined();
    expect(await store.messages(old.id, { after: 0, limit: 10 })).toEqual([]);
    expect(await store.get(recent.id)).toBeDefined();
  });
});
