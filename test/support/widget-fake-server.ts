import { afterEach, beforeEach, vi } from 'vitest';
import { failureOf, networkFailure, type ApiResult } from '../../web/shared/api-result.js';
import { ChatApi, type FetchLike } from '../../web/widget/app/api.js';
import { realClock } from '../../web/shared/clock.js';
import { MemoryStore } from '../../web/shared/key-value-store.js';
import type { Log } from '../../web/widget/app/log.js';
import type { OutboxItem } from '../../web/widget/app/outbox-item.js';
import { ChatSession, type SessionHooks } from '../../web/widget/app/session.js';
import type { ChatMessage } from '../../web/widget/app/types.js';
import { viewMessages } from '../../web/widget/app/view-messages.js';

const FP = 'f'.repeat(64);

/** A small stand-in for the customer API: enough of rules 1–6 and idempotent sends to drive a session. */
export class FakeServer {
  conversations = new Map<number, { status: 'open' | 'closed'; resumable: boolean; messages: ChatMessage[]; tokens: Map<string, number> }>();
  requests: string[] = [];
  online = true;
  /** Stores the request but loses the answer, once per listed client_message_id. */
  loseAnswerFor = new Set<string>();
  lookupAnswer: unknown = { match: 'none' };
  /** The bodies of `POST /api/chat/start`, in order. */
  starts: Record<string, unknown>[] = [];
  /** The answer `POST /api/chat/{id}/attachments` gives next (once), instead of storing the file. */
  uploadAnswers: ApiResult<never>[] = [];
  private nextId = 1;

  /** `POST /api/chat/{id}/attachments` as the widget's file code sends it: idempotent by client_message_id like a message. */
  upload(id: number, token: string | undefined, item: OutboxItem): ApiResult<{ message: ChatMessage }> {
    this.requests.push(`POST /api/chat/${id}/attachments`);
    if (!this.online) return networkFailure();
    const conversation = this.conversations.get(id);
    if (!conversation || !token || !conversation.tokens.has(token)) return failureOf(404, { error: { code: 'not_found', message: 'Conversation not found.' } });
    const planned = this.uploadAnswers.shift();
    if (planned) return planned;
    const existing = conversation.messages.find((m) => m.client_message_id === item.client_message_id);
    if (existing) return { ok: true, status: 200, data: { message: existing } };
    const file = item.file ?? { name: 'file', size: 0, type: 'text/plain' };
    const attachment = { id: conversation.messages.length + 1, ...file, url: `/api/files/1/${encodeURIComponent(file.name)}?expires=1&sig=00`, image: file.type.startsWith('image/') };
    const message = this.add(id, { sender: 'visitor', body: item.body, client_message_id: item.client_message_id, attachments: [attachment] });
    if (this.loseAnswerFor.delete(item.client_message_id)) return networkFailure();
    return { ok: true, status: 201, data: { message } };
  }

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

/** A widget session against `server`, with what it logged, the conversations it subscribed to and the messages it shows. */
export function session(server: FakeServer, store = new MemoryStore()) {
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
  const files = { send: async (id: number, item: OutboxItem) => server.upload(id, holder.session?.token, item) };
  const s = new ChatSession({ api, store, clock: realClock, log, hooks, fingerprint: async () => FP, newId: () => `m-${++ids}`, page: { url: 'https://shop.example/cart', referrer: '' }, files });
  holder.session = s;
  const shown = () => viewMessages(s.messages).map((m) => `${m.body}:${m.state}`);
  return { s, store, logs, subscribed, shown };
}

/** Fake timers and a new `FakeServer` for each test. */
export function useFakeServer(): { server: FakeServer } {
  const world = {} as { server: FakeServer };
  beforeEach(() => {
    vi.useFakeTimers();
    world.server = new FakeServer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  return world;
}
