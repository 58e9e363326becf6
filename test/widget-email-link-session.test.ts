import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { networkFailure } from '../web/shared/api-result.js';
import { realClock } from '../web/shared/clock.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { Retries } from '../web/shared/retries.js';
import { ChatApi, type FetchLike } from '../web/widget/app/api.js';
import { followLink } from '../web/widget/app/email-link.js';
import type { Log } from '../web/widget/app/log.js';
import { ChatSession } from '../web/widget/app/session.js';
import { KEYS } from '../web/widget/app/storage.js';
import { DEFAULT_STRINGS } from '../web/widget/app/strings.js';
import type { ChatMessage } from '../web/widget/app/types.js';
import { viewMessages } from '../web/widget/app/view-messages.js';

/** docs/widget.md, "Links from follow-up emails": what the widget does on boot with a link, against a small stand-in for the customer API. */

const FP = 'f'.repeat(64);
const LINK = 'Ab3_-9xYz012345678901234567890123456789abcd';

type Draft = Pick<ChatMessage, 'sender' | 'body'> & { author_name?: string };

class FakeServer {
  conversations = new Map<number, { status: 'open' | 'closed'; messages: ChatMessage[]; tokens: Set<string> }>();
  /** Link tokens, each good for one redemption. */
  links = new Map<string, number>();
  requests: string[] = [];
  online = true;
  private nextId = 1;

  create(drafts: Draft[], status: 'open' | 'closed' = 'open') {
    const id = this.nextId++;
    const token = `token-${id}`;
    const messages = drafts.map((d, i) => ({ ...d, id: id * 100 + i, conversation_id: id, seq: i + 1, created_at: '' }));
    this.conversations.set(id, { status, messages, tokens: new Set([token]) });
    return { id, token };
  }

  fetch: FetchLike = async (url, init) => {
    const path = url.replace('https://chat.example', '');
    this.requests.push(`${init.method} ${path}`);
    if (!this.online) throw new TypeError('Failed to fetch');
    const body = init.body ? (JSON.parse(init.body) as Record<string, string>) : {};
    const answer = (status: number, data?: unknown) => ({ status, headers: { get: () => null }, json: async () => data });
    const joined = (id: number, token: string) => {
      const c = this.conversations.get(id)!;
      return { conversation: { id, status: c.status, last_seq: c.messages.length, visitor_read_seq: 0, agent: null }, visitor_token: token, messages: c.messages };
    };
    if (path === '/api/chat/link') {
      const id = this.links.get(body.token ?? '');
      if (id === undefined || body.fingerprint !== FP) return answer(404, { error: { code: 'not_found', message: 'Not found.', fields: { token: 'is unknown, used or expired' } } });
      this.links.delete(body.token ?? '');
      const token = `link-token-${id}`;
      this.conversations.get(id)!.tokens.add(token);
      return answer(200, joined(id, token));
    }
    if (path === '/api/chat/lookup') return answer(200, { match: 'none' });
    if (path === '/api/chat/start') {
      const { id, token } = this.create([{ sender: 'visitor', body: body.message ?? '' }]);
      return answer(201, joined(id, token));
    }
    const [, idText, what] = /^\/api\/chat\/(\d+)\/(\w+)/.exec(path) ?? [];
    const c = this.conversations.get(Number(idText));
    if (!c || !c.tokens.has(init.headers.Authorization?.replace('Bearer ', '') ?? '')) return answer(404, { error: { code: 'not_found', message: 'Not found.' } });
    if (what === 'status') return answer(200, { id: Number(idText), status: c.status, resumable: true, last_seq: c.messages.length, last_activity_at: '' });
    if (init.method === 'GET') return answer(200, { messages: c.messages.filter((m) => m.seq > Number(/after=(\d+)/.exec(path)?.[1] ?? 0)), last_seq: c.messages.length });
    if (what === 'read') return answer(204);
    const message = { id: Number(idText) * 100 + c.messages.length, conversation_id: Number(idText), seq: c.messages.length + 1, sender: 'visitor' as const, body: body.body ?? '', client_message_id: body.client_message_id, created_at: '' };
    c.messages.push(message);
    return answer(201, { message });
  };
}

/** The widget's pieces around a session, as widget.ts wires them for `followLink`. */
function boot(server: FakeServer, store = new MemoryStore()) {
  const logs: string[] = [];
  const log: Log = { subscribed: () => undefined, resumed: (c) => logs.push(`resumed ${(c as { id: number }).id}`), debug: () => undefined, warn: () => undefined };
  const subscribed: (number | undefined)[] = [];
  const holder: { session?: ChatSession } = {};
  const api = new ChatApi('https://chat.example', { fetch: server.fetch, fingerprint: () => FP, token: () => holder.session?.token });
  let ids = 0;
  const session = new ChatSession({
    api,
    store,
    clock: realClock,
    log,
    hooks: { changed: () => undefined, received: () => undefined, conversation: (id) => subscribed.push(id), agent: () => undefined, reachable: () => undefined },
    fingerprint: async () => FP,
    newId: () => `m-${++ids}`,
    page: { url: 'https://shop.example/cart', referrer: '' },
    files: { send: async () => networkFailure() },
  });
  holder.session = session;
  const world = { opened: 0, notices: [] as string[], attributes: [] as string[] };
  const follow = (token = LINK) =>
    followLink(token, {
      api,
      retries: new Retries(realClock),
      session,
      strings: DEFAULT_STRINGS,
      fingerprint: async () => FP,
      view: { setNotice: (text) => world.notices.push(text) },
      host: { setAttribute: (name, value) => world.attributes.push(`${name}=${value}`) },
      open: () => world.opened++,
      checkStored: async () => void (await session.checkStored(() => world.opened > 0)),
    });
  const shown = () => viewMessages(session.messages).map((m) => `${m.sender}: ${m.body}`);
  return { session, store, logs, subscribed, world, follow, shown };
}

const storedOn = (conversation: { id: number; token: string }) => {
  const store = new MemoryStore();
  store.setItem(KEYS.conversationId, String(conversation.id));
  store.setItem(KEYS.token, conversation.token);
  return store;
};

describe('opening the widget from a follow-up email', () => {
  let server: FakeServer;
  let emailed: { id: number; token: string };
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
    emailed = server.create([
      { sender: 'visitor', body: 'Do you ship to Ireland?' },
      { sender: 'agent', body: 'Yes, in 3 days.', author_name: 'Sam' },
      { sender: 'agent', body: 'Anything else?', author_name: 'Sam' },
    ]);
    server.links.set(LINK, emailed.id);
  });
  afterEach(() => vi.useRealTimers());

  it("opens the panel on the conversation with the agents' replies and keeps it for later pages", async () => {
    const w = boot(server);
    await w.follow();
    expect(w.world.opened).toBe(1);
    expect(w.world.attributes).toEqual(['data-link=pending', 'data-link=opened']);
    expect(w.shown()).toEqual(['visitor: Do you ship to Ireland?', 'agent: Yes, in 3 days.', 'agent: Anything else?']);
    expect(w.session.state).toBe('open');
    expect(w.store.getItem(KEYS.conversationId)).toBe(String(emailed.id));
    expect(w.store.getItem(KEYS.token)).toBe(`link-token-${emailed.id}`);
    expect(w.subscribed).toEqual([undefined, emailed.id]);
    expect(w.logs).toEqual([`resumed ${emailed.id}`]);
    expect(w.world.notices).toEqual([]);
  });

  it("sends the visitor's reply into the same conversation", async () => {
    const w = boot(server);
    await w.follow();
    w.session.write('No, thank you!');
    await vi.runAllTimersAsync();
    expect(server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/link', `POST /api/chat/${emailed.id}/messages`]);
    expect(w.shown().at(-1)).toBe('visitor: No, thank you!');
  });

  it('replaces another conversation stored on this device, without checking it first', async () => {
    const other = server.create([{ sender: 'visitor', body: 'An older question' }]);
    const w = boot(server, storedOn(other));
    await w.follow();
    expect(w.store.getItem(KEYS.conversationId)).toBe(String(emailed.id));
    expect(w.shown()).not.toContain('visitor: An older question');
    expect(server.requests).toEqual(['POST /api/chat/link']);
  });

  it('shows a closed conversation as ended, with its transcript', async () => {
    server.conversations.get(emailed.id)!.status = 'closed';
    const w = boot(server);
    await w.follow();
    expect(w.session.state).toBe('closed');
    expect(w.shown()).toHaveLength(3);
  });

  it('holds messages left unsent on an earlier page until the link has decided the conversation', async () => {
    const store = new MemoryStore();
    store.setItem(KEYS.outbox, JSON.stringify([{ client_message_id: 'm-0', body: 'Still there?', created_at: '' }]));
    server.online = false;
    const w = boot(server, store);
    const following = w.follow();
    w.session.flusher.kick();
    await vi.advanceTimersByTimeAsync(0);
    server.online = true;
    await vi.advanceTimersByTimeAsync(5000);
    await following;
    await vi.runAllTimersAsync();
    expect(server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/link', 'POST /api/chat/link', `POST /api/chat/${emailed.id}/messages`]);
  });

  it('a used or expired link: a polite notice, and a conversation stored on this device stays', async () => {
    const other = server.create([{ sender: 'agent', body: 'Welcome back' }]);
    server.links.clear();
    const w = boot(server, storedOn(other));
    await w.follow();
    expect(w.world.attributes).toEqual(['data-link=pending', 'data-link=expired']);
    expect(w.world.notices).toEqual(['This link has expired or was already used. You can start a new conversation here.']);
    expect(w.world.opened).toBe(1);
    expect(w.store.getItem(KEYS.conversationId)).toBe(String(other.id));
    expect(w.session.state).toBe('open');
    expect(w.shown()).toEqual(['agent: Welcome back']);
  });

  it('a link opens once: the second time it is refused like an expired one', async () => {
    await boot(server).follow();
    const again = boot(server);
    await again.follow();
    expect(again.world.attributes.at(-1)).toBe('data-link=expired');
    expect(again.session.conversationId).toBeUndefined();
  });

  it('a refused link with nothing stored: the visitor goes on as usual, and the first message starts a conversation', async () => {
    server.links.clear();
    const w = boot(server);
    await w.follow();
    expect(server.requests).toEqual(['POST /api/chat/link', 'POST /api/chat/lookup']);
    w.session.write('Hello');
    await vi.runAllTimersAsync();
    expect(server.requests.at(-1)).toBe('POST /api/chat/start');
  });

  it('a malformed link asks nothing and says the link cannot be used', async () => {
    const w = boot(server);
    await w.follow('');
    expect(server.requests).not.toContain('POST /api/chat/link');
    expect(w.world.notices).toEqual([DEFAULT_STRINGS.linkExpired]);
  });

  it('no answer after the retries: says the chat could not be reached, and keeps what is stored', async () => {
    const other = server.create([{ sender: 'agent', body: 'Welcome back' }]);
    server.online = false;
    const w = boot(server, storedOn(other));
    const following = w.follow();
    await vi.advanceTimersByTimeAsync(10_000);
    await following;
    expect(server.requests.filter((r) => r === 'POST /api/chat/link')).toHaveLength(3);
    expect(w.world.attributes.at(-1)).toBe('data-link=unreachable');
    expect(w.world.notices).toEqual(['We could not reach the chat to open your link. You can start a new conversation here.']);
    expect(w.store.getItem(KEYS.conversationId)).toBe(String(other.id));
  });
});
