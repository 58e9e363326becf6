import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatApi, type FetchLike } from '../web/widget/app/api.js';
import { realClock } from '../web/shared/clock.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import type { Log } from '../web/widget/app/log.js';
import { ChatSession, type SessionHooks } from '../web/widget/app/session.js';
import { KEYS } from '../web/widget/app/storage.js';
import type { ChatMessage } from '../web/widget/app/types.js';
import { viewMessages } from '../web/widget/app/view-messages.js';

const FP = 'f'.repeat(64);

/** A small stand-in for the customer API: enough of rules 1–6 and idempotent sends to drive a session. */
class FakeServer {
  conversations = new Map<number, { status: 'open' | 'closed'; resumable: boolean; messages: ChatMessage[]; tokens: Map<string, number> }>();
  requests: string[] = [];
  online = true;
  /** Stores the request but loses the answer, once per listed client_message_id. */
  loseAnswerFor = new Set<string>();
  lookupAnswer: unknown = { match: 'none' };
  /** The bodies of `POST /api/chat/start`, in order. */
  starts: Record<string, unknown>[] = [];
  private nextId = 1;

  create(messages: Omit<ChatMessage, 'id' | 'conversation_id' | 'seq' | 'created_at'>[] = [], token = `token-${this.nextId}`) {
    const id = this.nextId++;
    const conversation = { status: 'open' as const, resumable: true, messages: [] as ChatMessage[], tokens: new Map([[token, 0]]) };
    this.conversations.set(id, conversation);
    for (const m of messages) this.add(id, m);
    return { id, token };
  }

  add(id: number, m: Omit<ChatMessage, 'id' | 'conversation_id' | 'seq' | 'created_at'>): ChatMessage {
    const conversation = this.conversations.get(id)!;
    const message = { ...m, id: id * 1000 + conversation.messages.length + 1, conversation_id: id, seq: conversation.messages.length + 1, created_at: new Date().toISOString() };
    conversation.messages.push(message);
    return message;
  }

  fetch: FetchLike = async (url, init) => {
    const path = url.replace('https://chat.example', '');
    this.requests.push(`${init.method} ${path}`);
    if (!this.online) throw new TypeError('Failed to fetch');
    const body = init.body ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    const token = init.headers.Authorization?.replace('Bearer ', '');
    const answer = (status: number, data?: unknown) => ({ status, headers: { get: () => null }, json: async () => data });
    const visible = (id: number, t: string) => {
      const c = this.conversations.get(id)!;
      const from = c.tokens.get(t) ?? 0;
      return c.messages.filter((m) => m.seq > from);
    };
    const joined = (id: number, t: string) => ({
      conversation: { id, status: this.conversations.get(id)!.status, last_seq: this.conversations.get(id)!.messages.length, visitor_read_seq: 0, agent: null },
      visitor_token: t,
      messages: visible(id, t),
    });

    if (path === '/api/chat/start') {
      this.starts.push(body);
      const { id, token: t } = this.create();
      if (body.message) this.add(id, { sender: 'visitor', body: String(body.message), client_message_id: String(body.client_message_id) });
      if (this.loseAnswerFor.delete(String(body.client_message_id))) throw new TypeError('Failed to fetch');
      return answer(201, { ...joined(id, t), resumed: false });
    }
    if (path === '/api/chat/lookup') return answer(200, this.lookupAnswer);
    if (path === '/api/chat/resume') {
      const id = Number(body.resume_ticket);
      const c = this.conversations.get(id)!;
      const join = this.add(id, { sender: 'system', body: 'The visitor continued this conversation from another device on the same network.' });
      const t = `joined-${id}`;
      c.tokens.set(t, join.seq - 1);
      return answer(200, joined(id, t));
    }
    const match = /^\/api\/chat\/(\d+)\/(status|messages|read)(?:\?after=(\d+))?/.exec(path);
    const id = Number(match?.[1]);
    const conversation = this.conversations.get(id);
    if (!match || !conversation || !token || !conversation.tokens.has(token)) return answer(404, { error: { code: 'not_found', message: 'Conversation not found.' } });
    if (match[2] === 'status') {
      return answer(200, { id, status: conversation.status, resumable: conversation.status === 'open' && conversation.resumable, last_seq: conversation.messages.length, last_activity_at: '' });
    }
    if (match[2] === 'read') return answer(204);
    if (init.method === 'GET') {
      const after = Number(match[3] ?? 0);
      return answer(200, { messages: visible(id, token).filter((m) => m.seq > after), last_seq: conversation.messages.length });
    }
    const existing = conversation.messages.find((m) => m.client_message_id === body.client_message_id);
    if (existing) return answer(200, { message: existing });
    if (conversation.status === 'closed') return answer(409, { error: { code: 'conversation_closed', message: 'closed' } });
    if (String(body.body).trim() === '') return answer(422, { error: { code: 'validation_failed', message: 'blank' } });
    const message = this.add(id, { sender: 'visitor', body: String(body.body), client_message_id: String(body.client_message_id) });
    if (this.loseAnswerFor.delete(message.client_message_id ?? '')) throw new TypeError('Failed to fetch');
    return answer(201, { message });
  };
}

function session(server: FakeServer, store = new MemoryStore()) {
  const logs: unknown[][] = [];
  const log: Log = { subscribed: () => undefined, resumed: (c) => logs.push(['resumed', c]), debug: () => undefined, warn: () => undefined };
  const subscribed: (number | undefined)[] = [];
  const hooks: SessionHooks = {
    changed: () => undefined,
    received: () => undefined,
    conversation: (id) => subscribed.push(id),
    agent: () => undefined,
    reachable: () => undefined,
  };
  let ids = 0;
  const holder: { session?: ChatSession } = {};
  const api = new ChatApi('https://chat.example', { fetch: server.fetch, fingerprint: () => FP, token: () => holder.session?.token });
  const s = new ChatSession({ api, store, clock: realClock, log, hooks, fingerprint: async () => FP, newId: () => `m-${++ids}`, page: { url: 'https://shop.example/cart', referrer: '' } });
  holder.session = s;
  const shown = () => viewMessages(s.messages).map((m) => `${m.body}:${m.state}`);
  return { s, store, logs, subscribed, shown };
}

describe('widget chat session (rules 1–6, outbox, merge)', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rule 1: the first message starts the conversation, later ones are sent to it in order', async () => {
    const { s, store, subscribed, shown } = session(server);
    await s.checkStored(() => true);
    s.write('Hello');
    s.write('Order 1042');
    expect(shown()).toEqual(['Hello:pending', 'Order 1042:pending']);
    await vi.runAllTimersAsync();
    expect(server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/start', 'POST /api/chat/1/messages']);
    expect(store.getItem(KEYS.conversationId)).toBe('1');
    expect(store.getItem(KEYS.token)).toBe('token-1');
    expect(store.getItem(KEYS.outbox)).toBeNull();
    expect(subscribed).toEqual([1]);
    expect(shown()).toEqual(['Hello:sent', 'Order 1042:sent']);
  });

  it('rule 2: a stored, resumable conversation is resumed with its transcript and logged', async () => {
    const { id, token } = server.create([{ sender: 'visitor', body: 'Hi' }, { sender: 'agent', body: 'Hello!' }]);
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, String(id));
    store.setItem(KEYS.token, token);
    const { s, logs, subscribed, shown } = session(server, store);
    expect(await s.checkStored(() => false)).toBe('resumed');
    expect(shown()).toEqual(['Hi:sent', 'Hello!:sent']);
    expect(logs).toEqual([['resumed', expect.objectContaining({ id, status: 'open', resumable: true })]]);
    expect(subscribed).toEqual([id]);
  });

  it('sends the name and email given before the first message with `start` only, and keeps them no longer than the unsent message', async () => {
    const { s, store } = session(server);
    await s.checkStored(() => true);
    s.write('Are you open on Sunday?', { name: 'Ada', email: 'ada@example.com' });
    // Until it is acknowledged, a reload must still send it with the address the answer goes to.
    expect(store.getItem(KEYS.outbox)).toContain('ada@example.com');
    await vi.runAllTimersAsync();
    s.write('Thanks');
    await vi.runAllTimersAsync();
    expect(server.starts).toEqual([expect.objectContaining({ message: 'Are you open on Sunday?', name: 'Ada', email: 'ada@example.com' })]);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/start', 'POST /api/chat/1/messages']);
    expect(store.getItem(KEYS.outbox)).toBeNull();
    expect(Object.values(KEYS).map((key) => store.getItem(key) ?? '').join('\n')).not.toContain('ada@example.com');
  });

  it('starts with the email of a first message queued before a reload', async () => {
    const store = new MemoryStore();
    server.online = false;
    const before = session(server, store);
    await before.s.checkStored(() => true);
    before.s.write('Written offline', { email: 'ada@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    before.s.flusher.stop();
    server.online = true;
    const after = session(server, store);
    expect(after.shown()).toEqual(['Written offline:pending']);
    await after.s.checkStored(() => true);
    await vi.runAllTimersAsync();
    expect(server.starts).toEqual([expect.objectContaining({ message: 'Written offline', email: 'ada@example.com' })]);
    expect(after.shown()).toEqual(['Written offline:sent']);
  });

  it('rule 3: a closed conversation is forgotten when the panel is closed, shown as ended when open', async () => {
    const { id, token } = server.create([{ sender: 'visitor', body: 'Bye' }]);
    server.conversations.get(id)!.status = 'closed';
    const stored = () => {
      const store = new MemoryStore();
      store.setItem(KEYS.conversationId, String(id));
      store.setItem(KEYS.token, token);
      return store;
    };
    const closedPanel = session(server, stored());
    expect(await closedPanel.s.checkStored(() => false)).toBe('forgotten');
    expect(closedPanel.store.getItem(KEYS.conversationId)).toBeNull();
    expect(closedPanel.s.state).toBe('none');

    const openPanel = session(server, stored());
    expect(await openPanel.s.checkStored(() => true)).toBe('closed');
    expect(openPanel.s.state).toBe('closed');
    expect(openPanel.shown()).toEqual(['Bye:sent']);
    openPanel.s.startOver();
    expect(openPanel.s.state).toBe('none');
    expect(openPanel.shown()).toEqual([]);
    expect(openPanel.store.getItem(KEYS.conversationId)).toBeNull();
  });

  it('rule 3: an idle conversation is forgotten and the next message starts a new one', async () => {
    const old = server.create([{ sender: 'visitor', body: 'Yesterday' }]);
    server.conversations.get(old.id)!.resumable = false;
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, String(old.id));
    store.setItem(KEYS.token, old.token);
    const { s } = session(server, store);
    expect(await s.checkStored(() => false)).toBe('forgotten');
    s.write('Today');
    await vi.runAllTimersAsync();
    expect(s.conversationId).not.toBe(old.id);
    expect(server.conversations.get(s.conversationId!)!.messages.map((m) => m.body)).toEqual(['Today']);
  });

  it('waits for the stored conversation to be checked before sending, so no second conversation starts', async () => {
    const { id, token } = server.create();
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, String(id));
    store.setItem(KEYS.token, token);
    store.setItem(KEYS.outbox, JSON.stringify([{ client_message_id: 'q-1', body: 'queued before reload', created_at: '2026-01-01T00:00:00.000Z' }]));
    server.online = false;
    const { s, shown } = session(server, store);
    expect(shown()).toEqual(['queued before reload:pending']);
    expect(await s.checkStored(() => true)).toBe('retry');
    s.flusher.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    server.online = true;
    expect(await s.checkStored(() => true)).toBe('resumed');
    await vi.runAllTimersAsync();
    expect(server.conversations.size).toBe(1);
    expect(server.conversations.get(id)!.messages.map((m) => m.body)).toEqual(['queued before reload']);
    expect(shown()).toEqual(['queued before reload:sent']);
  });

  it('sends a message once when its acknowledgement was lost, and keeps the order', async () => {
    const { s, shown } = session(server);
    await s.checkStored(() => true);
    s.write('first');
    await vi.runAllTimersAsync();
    server.loseAnswerFor.add('m-2');
    s.write('second (answer lost)');
    s.write('third');
    await vi.runAllTimersAsync();
    expect(server.conversations.get(1)!.messages.map((m) => `${m.seq}:${m.body}`)).toEqual(['1:first', '2:second (answer lost)', '3:third']);
    expect(shown()).toEqual(['first:sent', 'second (answer lost):sent', 'third:sent']);
  });

  it('keeps messages written offline, then sends each once when back online', async () => {
    const { s, store, shown } = session(server);
    await s.checkStored(() => true);
    s.write('online');
    await vi.runAllTimersAsync();
    server.online = false;
    ['one', 'two', 'three'].forEach((body) => s.write(body));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(shown()).toEqual(['online:sent', 'one:pending', 'two:pending', 'three:pending']);
    expect(JSON.parse(store.getItem(KEYS.outbox)!)).toHaveLength(3);
    server.online = true;
    s.flusher.kick();
    await vi.runAllTimersAsync();
    expect(server.conversations.get(1)!.messages.map((m) => m.body)).toEqual(['online', 'one', 'two', 'three']);
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('409: a closed conversation stops sending and shows unsent messages as failed', async () => {
    const { s, store, shown } = session(server);
    await s.checkStored(() => true);
    s.write('hello');
    await vi.runAllTimersAsync();
    server.conversations.get(1)!.status = 'closed';
    s.write('are you there?');
    await vi.runAllTimersAsync();
    expect(s.state).toBe('closed');
    expect(shown()).toEqual(['hello:sent', 'are you there?:failed']);
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('rule 5: a network match asks first; continuing shows only messages from the join on', async () => {
    const { id } = server.create([{ sender: 'visitor', body: 'My address is 12 Private Lane' }]);
    server.lookupAnswer = { match: 'network', resume_ticket: String(id) };
    const { s, shown, logs } = session(server);
    await s.lookup();
    expect(s.ticket).toBe(String(id));
    s.flusher.kick();
    expect(server.requests.some((r) => r.includes('/start'))).toBe(false);
    await s.answerPrompt(true);
    expect(s.conversationId).toBe(id);
    expect(shown().join()).not.toContain('Private Lane');
    expect(shown()).toEqual(['The visitor continued this conversation from another device on the same network.:sent']);
    expect(logs).toHaveLength(1);
  });

  it('rule 5: "Start new" starts a new conversation on the first message', async () => {
    server.lookupAnswer = { match: 'network', resume_ticket: '99' };
    const { s } = session(server);
    await s.lookup();
    await s.answerPrompt(false);
    s.write('A new question');
    await vi.runAllTimersAsync();
    expect(server.requests).toContain('POST /api/chat/start');
    expect(server.requests.some((r) => r.includes('/resume'))).toBe(false);
  });

  it('rule 6: a device match from lookup resumes with the whole transcript', async () => {
    const { id, token } = server.create([{ sender: 'visitor', body: 'From this very device' }]);
    server.lookupAnswer = { match: 'device', conversation: { id, status: 'open', last_seq: 1 }, visitor_token: token, messages: server.conversations.get(id)!.messages };
    const { s, shown, store } = session(server);
    await s.lookup();
    expect(s.conversationId).toBe(id);
    expect(store.getItem(KEYS.token)).toBe(token);
    expect(shown()).toEqual(['From this very device:sent']);
  });

  it('fills a hole in the sequence from a catch-up when a pushed message skips ahead', async () => {
    const { s, shown } = session(server);
    await s.checkStored(() => true);
    s.write('hi');
    await vi.runAllTimersAsync();
    server.add(1, { sender: 'agent', body: 'missed while reconnecting' });
    const pushed = server.add(1, { sender: 'agent', body: 'pushed' });
    s.receive([pushed], false);
    await vi.runAllTimersAsync();
    expect(shown()).toEqual(['hi:sent', 'missed while reconnecting:sent', 'pushed:sent']);
    expect(s.messages.cursor).toBe(3);
  });
});
