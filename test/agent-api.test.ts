import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/agents/agent-service.js';
import type { AgentConversationDto, MessageDto, VisitorConversationDto } from '../src/chat/dto.js';
import type { ChatEvent } from '../src/chat/events.js';
import { ENGINES, skipEngine } from './support/engines.js';
import { ADMIN, startHarness, type Harness } from './support/harness.js';

type Method = 'GET' | 'POST' | 'PATCH';
type Session = Awaited<ReturnType<Harness['loginAs']>>;

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}
interface StartAnswer {
  conversation: VisitorConversationDto;
  visitor_token: string;
  messages: MessageDto[];
}
interface Transcript {
  conversation: AgentConversationDto;
  messages: MessageDto[];
  earlier_conversations: AgentConversationDto[];
}
interface Inbox {
  conversations: AgentConversationDto[];
  next_cursor: string | null;
}

const AGENT = { email: 'sam@example.test', name: 'Sam Agent', password: 'sam password 123' };
const ANOTHER_IP = '198.51.100.77';

let fingerprints = 0;
/** A fresh browser fingerprint (16+ hash characters), so every chat is a new device. */
const newFingerprint = (): string => `fp${String(++fingerprints).padStart(14, '0')}deadbeef`;
let clientIds = 0;
const newClientId = (prefix = 'c'): string => `${prefix}-${++clientIds}`;

/** Asserts the uniform error shape, its status and code, and (optionally) the fields it names. */
function expectFailure(res: LightMyRequestResponse, status: number, code: string, ...fields: string[]): ErrorBody['error'] {
  expect(res.statusCode, res.body).toBe(status);
  const { error } = res.json<ErrorBody>();
  expect(error.code).toBe(code);
  expect(error.message).toEqual(expect.any(String));
  for (const field of fields) expect(Object.keys(error.fields ?? {}), `fields of ${res.body}`).toContain(field);
  return error;
}

const sessionCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'parley_session');

describe.each(ENGINES)('agent API on %s', (engine) => {
  let h: Harness;
  let admin: Session;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    h = await startHarness(engine);
    admin = await h.loginAs();
  });
  afterEach(async () => {
    await h?.close();
  });

  /**
   * Replaces this test's Parley with one started under `env`, nobody logged in. The first is closed before the new
   * one migrates: see the report on src/storage/migrator.ts (two live PostgreSQL schemas confuse it).
   */
  const restartWith = async (env: Record<string, string>): Promise<Harness> => {
    await h.close();
    h = await startHarness(engine, env);
    return h;
  };

  /** An agent request: the session's cookie and CSRF token unless told otherwise. */
  const call = (method: Method, url: string, json?: unknown, session: Session | null = admin, headers: Record<string, string> = {}) =>
    h.request({ method, url, ...(json !== undefined ? { json } : {}), headers: { ...(session?.headers ?? {}), ...headers } });
  const get = (url: string, session: Session | null = admin) => call('GET', url, undefined, session);
  const post = (url: string, json?: unknown, session: Session | null = admin) => call('POST', url, json, session);
  const patch = (url: string, json: unknown, session: Session | null = admin) => call('PATCH', url, json, session);

  const startChat = async (opts: { message?: string | null; fingerprint?: string | null; ip?: string; name?: string } = {}): Promise<StartAnswer> => {
    const message = opts.message === null ? {} : { message: opts.message ?? 'Hello, I need help', client_message_id: newClientId('v') };
    const fingerprint = opts.fingerprint === null ? {} : { fingerprint: opts.fingerprint ?? newFingerprint() };
    const res = await h.request({
      method: 'POST',
      url: '/api/chat/start',
      ip: opts.ip,
      json: { ...message, ...fingerprint, name: opts.name ?? 'Visitor' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<StartAnswer>();
  };
  const visitorSend = (chat: StartAnswer, body: string, clientMessageId = newClientId('v')) =>
    h.request({
      method: 'POST',
      url: `/api/chat/${chat.conversation.id}/messages`,
      headers: { authorization: `Bearer ${chat.visitor_token}` },
      json: { body, client_message_id: clientMessageId },
    });
  const visitorMessages = async (chat: StartAnswer): Promise<MessageDto[]> => {
    const res = await h.request({ method: 'GET', url: `/api/chat/${chat.conversation.id}/messages`, headers: { authorization: `Bearer ${chat.visitor_token}` } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ messages: MessageDto[] }>().messages;
  };

  const transcript = async (id: number, session: Session = admin): Promise<Transcript> => {
    const res = await get(`/api/agent/conversations/${id}`, session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Transcript>();
  };
  const inbox = async (query = '', session: Session = admin): Promise<Inbox> => {
    const res = await get(`/api/agent/conversations${query}`, session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Inbox>();
  };
  const inboxIds = async (query = ''): Promise<number[]> => (await inbox(query)).conversations.map((c) => c.id);
  /** An agent reply; a fresh client_message_id unless one is given, none with `null`. */
  const reply = (id: number, body: string, clientMessageId: string | null = newClientId('a'), session: Session = admin) =>
    post(`/api/agent/conversations/${id}/messages`, clientMessageId === null ? { body } : { body, client_message_id: clientMessageId }, session);

  const createAgent = async (input: { email: string; name: string; password: string; role?: 'admin' | 'agent' } = AGENT): Promise<AgentDto> => {
    const res = await post('/api/agent/agents', input);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ agent: AgentDto }>().agent;
  };
  const listAgents = async (): Promise<AgentDto[]> => {
    const res = await get('/api/agent/agents');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ agents: AgentDto[] }>().agents;
  };
  const adminId = async (): Promise<number> => (await get('/api/agent/me')).json<{ agent: AgentDto }>().agent.id;
  const eventsNamed = <N extends ChatEvent['name']>(name: N) => h.events.events.filter((e): e is Extract<ChatEvent, { name: N }> => e.name === name);

  describe('login', () => {
    it('answers 200 {agent, csrf_token} and sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const res = await h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: ADMIN.password } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ agent: AgentDto; csrf_token: string }>();
      expect(body.agent).toMatchObject({ email: ADMIN.email, name: 'Admin', role: 'admin', active: true });
      expect(body.agent).not.toHaveProperty('password_hash');
      expect(body.csrf_token).toMatch(/^\S{16,}$/);
      const cookie = sessionCookie(res);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie?.secure).toBeFalsy();
      expect(cookie?.value).toMatch(/^\S{20,}$/);
      expect(cookie?.maxAge).toBeGreaterThan(0);
    });

    it('marks the session cookie Secure when APP_URL is https', async () => {
      const secure = await restartWith({ APP_URL: 'https://chat.example' });
      const res = await secure.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: ADMIN.password } });
      expect(res.statusCode, res.body).toBe(200);
      expect(sessionCookie(res)).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    });

    it('accepts the email in any case and with surrounding spaces', async () => {
      const res = await h.request({ method: 'POST', url: '/api/agent/login', json: { email: `  ${ADMIN.email.toUpperCase()} `, password: ADMIN.password } });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('refuses a wrong password with 401 invalid_credentials and sets no cookie', async () => {
      const res = await h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: 'wrong password' } });
      expectFailure(res, 401, 'invalid_credentials');
      expect(sessionCookie(res)).toBeUndefined();
    });

    it('refuses an unknown email with the same 401 invalid_credentials', async () => {
      const wrongPassword = await h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: 'wrong password' } });
      const unknown = await h.request({ method: 'POST', url: '/api/agent/login', json: { email: 'nobody@example.test', password: ADMIN.password } });
      expectFailure(unknown, 401, 'invalid_credentials');
      expect(unknown.json<ErrorBody>()).toEqual(wrongPassword.json<ErrorBody>());
      expect(sessionCookie(unknown)).toBeUndefined();
    });

    it('answers 422 validation_failed naming email and password when they are missing', async () => {
      const error = expectFailure(await h.request({ method: 'POST', url: '/api/agent/login', json: {} }), 422, 'validation_failed', 'email', 'password');
      expect(error.fields).toEqual({ email: 'is required', password: 'is required' });
    });

    it('answers 422 naming each field that is not a string or is blank', async () => {
      expectFailure(await h.request({ method: 'POST', url: '/api/agent/login', json: { email: 42, password: ADMIN.password } }), 422, 'validation_failed', 'email');
      expectFailure(await h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: '' } }), 422, 'validation_failed', 'password');
      expectFailure(await h.request({ method: 'POST', url: '/api/agent/login', json: { email: '   ', password: 'x' } }), 422, 'validation_failed', 'email');
    });

    it('answers 400 invalid_json for a malformed body', async () => {
      const res = await h.request({ method: 'POST', url: '/api/agent/login', payload: '{"email":', headers: { 'content-type': 'application/json' } });
      expectFailure(res, 400, 'invalid_json');
    });

    it('rate-limits login attempts per IP: the 4th attempt under 3/1m is 429 rate_limited with Retry-After', async () => {
      const limited = await restartWith({ AGENT_RATE_LIMIT_LOGIN: '3/1m' });
      const attempt = (password: string, ip?: string) => limited.request({ method: 'POST', url: '/api/agent/login', ip, json: { email: ADMIN.email, password } });
      expect((await attempt('wrong password')).statusCode).toBe(401);
      expect((await attempt('wrong password')).statusCode).toBe(401);
      expect((await attempt(ADMIN.password)).statusCode).toBe(200);
      const fourth = await attempt(ADMIN.password);
      expectFailure(fourth, 429, 'rate_limited');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
      expect(sessionCookie(fourth)).toBeUndefined();
      // The limit is per client IP: another address may still log in.
      expect((await attempt(ADMIN.password, ANOTHER_IP)).statusCode).toBe(200);
    });
  });

  describe('me and logout', () => {
    it('GET me answers the agent and the same csrf token as login', async () => {
      const res = await get('/api/agent/me');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ agent: AgentDto; csrf_token: string }>();
      expect(body.agent).toMatchObject({ email: ADMIN.email, role: 'admin', active: true });
      expect(body.csrf_token).toBe(admin.csrf);
    });

    it('GET me needs no X-CSRF-Token header (a safe method)', async () => {
      const res = await h.request({ method: 'GET', url: '/api/agent/me', headers: { cookie: admin.cookie } });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('gives every login its own session and csrf token', async () => {
      const second = await h.loginAs();
      expect(second.cookie).not.toBe(admin.cookie);
      expect(second.csrf).not.toBe(admin.csrf);
    });

    it('logout answers 204, clears the cookie, and the old cookie then gets 401 unauthenticated', async () => {
      const res = await post('/api/agent/logout');
      expect(res.statusCode, res.body).toBe(204);
      const cleared = sessionCookie(res);
      expect(cleared?.value ?? '').toBe('');
      expect(expiredCookie(cleared)).toBe(true);
      expectFailure(await get('/api/agent/me'), 401, 'unauthenticated');
      expectFailure(await get('/api/agent/conversations'), 401, 'unauthenticated');
      expectFailure(await post('/api/agent/logout'), 401, 'unauthenticated');
    });

    it('logout ends only that session: the same agent logged in elsewhere stays in', async () => {
      const elsewhere = await h.loginAs();
      expect((await post('/api/agent/logout')).statusCode).toBe(204);
      expect((await get('/api/agent/me', elsewhere)).statusCode).toBe(200);
    });

    it('ends a session unused for the whole session lifetime, and extends one that is used', async () => {
      const idle = await h.loginAs();
      h.clock.advance(7 * 3_600_000); // SESSION_LIFETIME defaults to 12 hours
      expect((await get('/api/agent/me')).statusCode).toBe(200); // used in its second half: extended
      h.clock.advance(6 * 3_600_000);
      expect((await get('/api/agent/me')).statusCode).toBe(200);
      expectFailure(await get('/api/agent/me', idle), 401, 'unauthenticated');
    });
  });

  describe('authentication and CSRF on every endpoint', () => {
    let conversationId: number;
    let agentId: number;

    beforeEach(async () => {
      conversationId = (await startChat()).conversation.id;
      agentId = (await createAgent()).id;
    });

    const path = (template: string) => template.replace(':id', String(conversationId)).replace(':agent', String(agentId));

    const STATE_CHANGES: [Method, string, unknown][] = [
      ['POST', '/api/agent/logout', undefined],
      ['POST', '/api/agent/conversations/:id/messages', { body: 'forged reply', client_message_id: 'forged-1' }],
      ['POST', '/api/agent/conversations/:id/assign', {}],
      ['POST', '/api/agent/conversations/:id/close', undefined],
      ['POST', '/api/agent/conversations/:id/reopen', undefined],
      ['POST', '/api/agent/conversations/:id/read', { seq: 1 }],
      ['POST', '/api/agent/agents', { email: 'mallory@example.test', name: 'Mallory', password: 'mallory password', role: 'admin' }],
      ['PATCH', '/api/agent/agents/:agent', { name: 'Renamed', role: 'admin', active: false }],
    ];
    const READS: [Method, string, unknown][] = [
      ['GET', '/api/agent/me', undefined],
      ['GET', '/api/agent/conversations', undefined],
      ['GET', '/api/agent/conversations/:id', undefined],
      ['GET', '/api/agent/agents', undefined],
    ];

    /** Everything a refused request could have changed: the conversation, its messages, the agents, events, the session. */
    const snapshot = async () => {
      const t = await transcript(conversationId);
      const agents = (await listAgents()).map(({ last_seen_at: _seen, ...rest }) => rest);
      return { conversation: t.conversation, messages: t.messages, agents, events: h.events.events.length, me: (await get('/api/agent/me')).statusCode };
    };

    it.each([...READS, ...STATE_CHANGES])('answers %s %s with 401 unauthenticated without a session', async (method, template, body) => {
      expectFailure(await call(method, path(template), body, null), 401, 'unauthenticated');
      expectFailure(await call(method, path(template), body, null, { 'x-csrf-token': admin.csrf }), 401, 'unauthenticated');
      expectFailure(await call(method, path(template), body, null, { cookie: 'parley_session=not-a-real-session-token-at-all' }), 401, 'unauthenticated');
    });

    it.each(STATE_CHANGES)('refuses %s %s without the X-CSRF-Token header (403 csrf_mismatch) and stores nothing', async (method, template, body) => {
      const before = await snapshot();
      h.clock.advance(5000);
      expectFailure(await call(method, path(template), body, null, { cookie: admin.cookie }), 403, 'csrf_mismatch');
      expect(await snapshot()).toEqual(before);
    });

    it.each(STATE_CHANGES)('refuses %s %s with a wrong X-CSRF-Token (403 csrf_mismatch) and stores nothing', async (method, template, body) => {
      const before = await snapshot();
      h.clock.advance(5000);
      expectFailure(await call(method, path(template), body, null, { cookie: admin.cookie, 'x-csrf-token': 'wrong-token' }), 403, 'csrf_mismatch');
      expectFailure(await call(method, path(template), body, null, { cookie: admin.cookie, 'x-csrf-token': '' }), 403, 'csrf_mismatch');
      expect(await snapshot()).toEqual(before);
    });

    it.each(STATE_CHANGES)("refuses %s %s with another session's X-CSRF-Token (403 csrf_mismatch)", async (method, template, body) => {
      const other = await h.loginAs();
      const before = await snapshot();
      expectFailure(await call(method, path(template), body, null, { cookie: admin.cookie, 'x-csrf-token': other.csrf }), 403, 'csrf_mismatch');
      expect(await snapshot()).toEqual(before);
    });

    it.each(READS)('serves %s %s with the session cookie alone', async (method, template) => {
      const res = await h.request({ method, url: path(template), headers: { cookie: admin.cookie } });
      expect(res.statusCode, res.body).toBe(200);
    });
  });

  describe('conversation list', () => {
    it('lists conversations newest activity first, with unread_count and last_message', async () => {
      const first = await startChat({ message: 'first chat' });
      h.clock.advance(1000);
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
      h.clock.advance(1000);
      const newer = await startChat();
      h.clock.advance(1000);
      expect((await visitorSend(older, 'two')).statusCode).toBe(201);
      expect(await inboxIds()).toEqual([older.conversation.id, newer.conversation.id]);
      expect((await inbox()).conversations[0]).toMatchObject({ unread_count: 2, last_message: { seq: 2, body: 'two' } });

      h.clock.advance(1000);
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
      const samSession = await h.loginAs(AGENT.email, AGENT.password);
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
        h.clock.advance(1000);
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
        h.clock.advance(1000);
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
        h.clock.advance(1000);
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
      h.clock.advance(1000);
      const stranger = await startChat({ message: 'someone else' });
      h.clock.advance(1000);
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
      h.clock.advance(1000);
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
      expect(new Date(message.created_at).getTime()).toBe(h.clock.now());
      expect((await visitorMessages(chat)).at(-1)).toEqual(message);
    });

    it('records a MessageSent event with the stored message', async () => {
      const chat = await startChat();
      const { message } = (await reply(chat.conversation.id, 'On it')).json<{ message: MessageDto }>();
      expect(h.events.events.at(-1)).toEqual({ name: 'MessageSent', conversationId: chat.conversation.id, message });
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
      const events = h.events.events.length;
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/messages`, json), 422, 'validation_failed', field);
      expect((await transcript(chat.conversation.id)).messages).toHaveLength(1);
      expect(h.events.events).toHaveLength(events);
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
      const sam = await h.loginAs(AGENT.email, AGENT.password);
      const { message } = (await reply(chat.conversation.id, 'Sam here', undefined, sam)).json<{ message: MessageDto }>();
      expect(message.author_name).toBe(AGENT.name);
    });
  });

  describe('assign, close and reopen', () => {
    it('assigns to the requesting agent by default and records ConversationUpdated', async () => {
      const chat = await startChat();
      const me = await adminId();
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/assign`, {});
      expect(res.statusCode, res.body).toBe(200);
      const { conversation } = res.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ id: chat.conversation.id, assigned_agent_id: me, agent: { id: me, name: 'Admin' } });
      expect(h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation });
    });

    it('assigns with no body at all', async () => {
      const chat = await startChat();
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/assign`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ conversation: AgentConversationDto }>().conversation.assigned_agent_id).toBe(await adminId());
    });

    it('assigns to another agent by agent_id, and unassigns with agent_id null', async () => {
      const chat = await startChat();
      const sam = await createAgent();
      const assigned = await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: sam.id });
      expect(assigned.json<{ conversation: AgentConversationDto }>().conversation).toMatchObject({ assigned_agent_id: sam.id, agent: { id: sam.id, name: AGENT.name } });
      const unassigned = await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: null });
      expect(unassigned.statusCode, unassigned.body).toBe(200);
      const { conversation } = unassigned.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ assigned_agent_id: null, agent: null });
      expect(h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation });
      expect((await transcript(chat.conversation.id)).conversation.assigned_agent_id).toBeNull();
    });

    it('tells the visitor who is assigned, by name', async () => {
      const chat = await startChat();
      await post(`/api/agent/conversations/${chat.conversation.id}/assign`, {});
      const status = await h.request({ method: 'GET', url: `/api/chat/${chat.conversation.id}/status`, headers: { authorization: `Bearer ${chat.visitor_token}` } });
      expect(status.json<{ agent: unknown }>().agent).toEqual({ id: await adminId(), name: 'Admin' });
    });

    it.each([
      ['an unknown agent id', 987654],
      ['an agent id that is not a number', 'sam'],
      ['a negative agent id', -3],
      ['a fractional agent id', 1.5],
    ])('answers 422 naming agent_id for %s, and changes nothing', async (_label, agentId) => {
      const chat = await startChat();
      const events = h.events.events.length;
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: agentId }), 422, 'validation_failed', 'agent_id');
      expect((await transcript(chat.conversation.id)).conversation.assigned_agent_id).toBeNull();
      expect(h.events.events).toHaveLength(events);
    });

    it('refuses to assign a deactivated agent (422 naming agent_id)', async () => {
      const chat = await startChat();
      const sam = await createAgent();
      expect((await patch(`/api/agent/agents/${sam.id}`, { active: false })).statusCode).toBe(200);
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: sam.id }), 422, 'validation_failed', 'agent_id');
    });

    it('answers 404 not_found for assign, close and reopen of an unknown conversation', async () => {
      const events = h.events.events.length;
      for (const action of ['assign', 'close', 'reopen']) {
        expectFailure(await post(`/api/agent/conversations/777777/${action}`, {}), 404, 'not_found');
        expectFailure(await post(`/api/agent/conversations/nope/${action}`, {}), 404, 'not_found');
      }
      expect(h.events.events).toHaveLength(events);
    });

    it('closes a conversation: answers {conversation}, records ConversationUpdated, and the visitor can no longer send (409)', async () => {
      const chat = await startChat();
      h.clock.advance(60_000);
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/close`);
      expect(res.statusCode, res.body).toBe(200);
      const { conversation } = res.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ id: chat.conversation.id, status: 'closed', closed_at: new Date(h.clock.now()).toISOString() });
      expect(h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation });
      expectFailure(await visitorSend(chat, 'hello?'), 409, 'conversation_closed');
      expect((await transcript(chat.conversation.id)).messages).toHaveLength(1);
    });

    it('reopens a closed conversation: answers {conversation}, records ConversationUpdated, and the visitor can send again', async () => {
      const chat = await startChat();
      await post(`/api/agent/conversations/${chat.conversation.id}/close`);
      h.clock.advance(1000);
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/reopen`);
      expect(res.statusCode, res.body).toBe(200);
      const { conversation } = res.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ status: 'open', closed_at: null, last_activity_at: new Date(h.clock.now()).toISOString() });
      expect(h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation });
      expect((await visitorSend(chat, 'thanks for reopening')).statusCode).toBe(201);
      expect((await reply(chat.conversation.id, 'you are welcome')).statusCode).toBe(201);
    });
  });

  describe('read', () => {
    it('answers 204, records MessagesRead with the agent as reader, and unread_count drops to 0', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      expect((await transcript(chat.conversation.id)).conversation.unread_count).toBe(2);
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 2 });
      expect(res.statusCode, res.body).toBe(204);
      expect(res.body).toBe('');
      expect(h.events.events.at(-1)).toEqual({
        name: 'MessagesRead',
        conversationId: chat.conversation.id,
        reader: { type: 'agent', id: await adminId(), name: 'Admin' },
        seq: 2,
      });
      const row = (await inbox()).conversations.find((c) => c.id === chat.conversation.id);
      expect(row).toMatchObject({ unread_count: 0, agent_read_seq: 2 });
    });

    it('counts messages after the read marker as unread', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 1 });
      expect((await transcript(chat.conversation.id)).conversation.unread_count).toBe(1);
      await visitorSend(chat, 'three');
      expect((await transcript(chat.conversation.id)).conversation.unread_count).toBe(2);
    });

    it('shows the agent read marker to the visitor', async () => {
      const chat = await startChat({ message: 'one' });
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 1 });
      const status = await h.request({ method: 'POST', url: '/api/chat/start', json: { conversation_id: chat.conversation.id }, headers: { authorization: `Bearer ${chat.visitor_token}` } });
      expect(status.json<StartAnswer>().conversation.agent_read_seq).toBe(1);
    });

    it('never moves the marker backwards or past the last message', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 50 });
      expect(eventsNamed('MessagesRead').at(-1)?.seq).toBe(2);
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 1 });
      expect(eventsNamed('MessagesRead').at(-1)?.seq).toBe(2);
      expect((await transcript(chat.conversation.id)).conversation.agent_read_seq).toBe(2);
    });

    it('accepts a seq beyond 32-bit range, capped at the last message', async () => {
      const chat = await startChat({ message: 'one' });
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 3_000_000_000 });
      expect(res.statusCode, res.body).toBe(204);
      expect((await transcript(chat.conversation.id)).conversation.agent_read_seq).toBe(1);
    });

    it.each([
      ['a missing seq', {}],
      ['a negative seq', { seq: -1 }],
      ['a fractional seq', { seq: 1.5 }],
      ['a seq that is not a number', { seq: '1' }],
    ])('answers 422 naming seq for %s', async (_label, json) => {
      const chat = await startChat();
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/read`, json), 422, 'validation_failed', 'seq');
    });

    it('answers 404 not_found for an unknown conversation', async () => {
      expectFailure(await post('/api/agent/conversations/31337/read', { seq: 1 }), 404, 'not_found');
    });
  });

  describe('agent management', () => {
    it('GET agents lists every agent, without password hashes', async () => {
      await createAgent();
      const agents = await listAgents();
      expect(agents.map((a) => [a.email, a.name, a.role, a.active])).toEqual([
        [ADMIN.email, 'Admin', 'admin', true],
        [AGENT.email, AGENT.name, 'agent', true],
      ]);
      for (const agent of agents) expect(Object.keys(agent).sort()).toEqual(['active', 'created_at', 'email', 'id', 'last_seen_at', 'name', 'role']);
    });

    it('POST agents creates an agent (201, role agent by default, email lower-cased) who can log in', async () => {
      const res = await post('/api/agent/agents', { ...AGENT, email: 'Sam@Example.TEST' });
      expect(res.statusCode, res.body).toBe(201);
      const { agent } = res.json<{ agent: AgentDto }>();
      expect(agent).toMatchObject({ email: AGENT.email, name: AGENT.name, role: 'agent', active: true, last_seen_at: null });
      expect(agent.created_at).toBe(new Date(h.clock.now()).toISOString());
      const session = await h.loginAs(AGENT.email, AGENT.password);
      expect((await get('/api/agent/me', session)).json<{ agent: AgentDto }>().agent.id).toBe(agent.id);
    });

    it('POST agents creates an admin when asked', async () => {
      await createAgent({ ...AGENT, role: 'admin' });
      const session = await h.loginAs(AGENT.email, AGENT.password);
      expect((await get('/api/agent/agents', session)).statusCode).toBe(200);
    });

    it('POST agents answers 409 email_taken for an email already in use, in any case', async () => {
      await createAgent();
      expectFailure(await post('/api/agent/agents', { ...AGENT, name: 'Other Sam' }), 409, 'email_taken', 'email');
      expectFailure(await post('/api/agent/agents', { ...AGENT, email: AGENT.email.toUpperCase() }), 409, 'email_taken', 'email');
      expect(await listAgents()).toHaveLength(2);
    });

    it('POST agents answers 422 naming each bad field', async () => {
      const error = expectFailure(
        await post('/api/agent/agents', { email: 'not-an-email', name: '   ', password: 'short', role: 'owner' }),
        422,
        'validation_failed',
        'email',
        'name',
        'password',
        'role',
      );
      expect(error.fields?.password).toBe('must be at least 8 characters');
      const missing = expectFailure(await post('/api/agent/agents', {}), 422, 'validation_failed', 'email', 'name', 'password');
      expect(missing.fields?.email).toBe('is required');
      expect(await listAgents()).toHaveLength(1);
    });

    it.each([
      ['GET', '/api/agent/agents', undefined],
      ['POST', '/api/agent/agents', { email: 'new@example.test', name: 'New', password: 'new password 1' }],
      ['PATCH', '/api/agent/agents/1', { role: 'agent' }],
      ['PATCH', '/api/agent/agents/:self', { role: 'admin' }],
    ] as [Method, string, unknown][])('answers %s %s from a non-admin agent with 403 forbidden', async (method, url, json) => {
      const sam = await createAgent();
      const session = await h.loginAs(AGENT.email, AGENT.password);
      const before = await listAgents();
      expectFailure(await call(method, url.replace(':self', String(sam.id)), json, session), 403, 'forbidden');
      expect(await listAgents()).toEqual(before);
    });

    it('PATCH renames an agent', async () => {
      const sam = await createAgent();
      const res = await patch(`/api/agent/agents/${sam.id}`, { name: 'Samantha' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent).toMatchObject({ id: sam.id, name: 'Samantha', role: 'agent', active: true });
      expect((await listAgents()).find((a) => a.id === sam.id)?.name).toBe('Samantha');
    });

    it('PATCH changes the role, effective on the existing session', async () => {
      const sam = await createAgent();
      const session = await h.loginAs(AGENT.email, AGENT.password);
      expectFailure(await get('/api/agent/agents', session), 403, 'forbidden');
      const promoted = await patch(`/api/agent/agents/${sam.id}`, { role: 'admin' });
      expect(promoted.json<{ agent: AgentDto }>().agent.role).toBe('admin');
      expect((await get('/api/agent/agents', session)).statusCode).toBe(200);
      expect((await patch(`/api/agent/agents/${sam.id}`, { role: 'agent' })).statusCode).toBe(200);
      expectFailure(await get('/api/agent/agents', session), 403, 'forbidden');
    });

    it("PATCH resets a password: the agent's old sessions stop working, the old password fails and the new one works", async () => {
      const sam = await createAgent();
      const first = await h.loginAs(AGENT.email, AGENT.password);
      const second = await h.loginAs(AGENT.email, AGENT.password);
      expect((await patch(`/api/agent/agents/${sam.id}`, { password: 'brand new password' })).statusCode).toBe(200);
      expectFailure(await get('/api/agent/me', first), 401, 'unauthenticated');
      expectFailure(await get('/api/agent/me', second), 401, 'unauthenticated');
      expectFailure(await h.request({ method: 'POST', url: '/api/agent/login', json: { email: AGENT.email, password: AGENT.password } }), 401, 'invalid_credentials');
      const fresh = await h.loginAs(AGENT.email, 'brand new password');
      expect((await get('/api/agent/me', fresh)).statusCode).toBe(200);
      // The admin's own session is untouched.
      expect((await get('/api/agent/me')).statusCode).toBe(200);
    });

    it('PATCH deactivates an agent: their sessions end, login is refused, and reactivating lets them back in', async () => {
      const sam = await createAgent();
      const session = await h.loginAs(AGENT.email, AGENT.password);
      const res = await patch(`/api/agent/agents/${sam.id}`, { active: false });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent.active).toBe(false);
      expectFailure(await get('/api/agent/me', session), 401, 'unauthenticated');
      expectFailure(await h.request({ method: 'POST', url: '/api/agent/login', json: { email: AGENT.email, password: AGENT.password } }), 401, 'invalid_credentials');
      expect((await listAgents()).find((a) => a.id === sam.id)?.active).toBe(false);

      expect((await patch(`/api/agent/agents/${sam.id}`, { active: true })).json<{ agent: AgentDto }>().agent.active).toBe(true);
      expect((await get('/api/agent/me', await h.loginAs(AGENT.email, AGENT.password))).statusCode).toBe(200);
    });

    it('PATCH changes several things at once', async () => {
      const sam = await createAgent();
      const res = await patch(`/api/agent/agents/${sam.id}`, { name: 'Sam Admin', role: 'admin', password: 'another password' });
      expect(res.json<{ agent: AgentDto }>().agent).toMatchObject({ name: 'Sam Admin', role: 'admin' });
      const session = await h.loginAs(AGENT.email, 'another password');
      expect((await get('/api/agent/agents', session)).statusCode).toBe(200);
    });

    it('PATCH with nothing to change answers the agent unchanged', async () => {
      const sam = await createAgent();
      const res = await patch(`/api/agent/agents/${sam.id}`, {});
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent).toEqual(sam);
    });

    it('an admin cannot deactivate themself (422 naming active)', async () => {
      const me = await adminId();
      expectFailure(await patch(`/api/agent/agents/${me}`, { active: false }), 422, 'validation_failed', 'active');
      expect((await get('/api/agent/me')).statusCode).toBe(200);
    });

    it('an admin cannot demote themself (422 naming role)', async () => {
      const me = await adminId();
      expectFailure(await patch(`/api/agent/agents/${me}`, { role: 'agent' }), 422, 'validation_failed', 'role');
      expect((await listAgents()).find((a) => a.id === me)?.role).toBe('admin');
    });

    it('an admin can rename themself, and keep their role and activity', async () => {
      const me = await adminId();
      expect((await patch(`/api/agent/agents/${me}`, { name: 'Chief' })).json<{ agent: AgentDto }>().agent.name).toBe('Chief');
      expect((await patch(`/api/agent/agents/${me}`, { name: 'Chief', role: 'admin', active: true })).statusCode).toBe(200);
      expect((await get('/api/agent/me')).json<{ agent: AgentDto }>().agent).toMatchObject({ name: 'Chief', role: 'admin', active: true });
    });

    it('an admin changing their own password keeps this session and ends their other sessions', async () => {
      const elsewhere = await h.loginAs();
      expect((await patch(`/api/agent/agents/${await adminId()}`, { password: 'a brand new admin password' })).statusCode).toBe(200);
      expect((await get('/api/agent/me')).statusCode).toBe(200);
      expectFailure(await get('/api/agent/me', elsewhere), 401, 'unauthenticated');
      await h.loginAs(ADMIN.email, 'a brand new admin password');
    });

    it('an admin can demote or deactivate another admin', async () => {
      const other = await createAgent({ ...AGENT, role: 'admin' });
      expect((await patch(`/api/agent/agents/${other.id}`, { role: 'agent' })).json<{ agent: AgentDto }>().agent.role).toBe('agent');
      expect((await patch(`/api/agent/agents/${other.id}`, { active: false })).json<{ agent: AgentDto }>().agent.active).toBe(false);
    });

    it('PATCH answers 422 naming each bad field, and changes nothing', async () => {
      const sam = await createAgent();
      expectFailure(await patch(`/api/agent/agents/${sam.id}`, { name: '  ', role: 'boss', password: 'short', active: 'no' }), 422, 'validation_failed', 'name', 'role', 'password', 'active');
      expect((await listAgents()).find((a) => a.id === sam.id)).toEqual(sam);
    });

    it.each(['424242', 'abc', '0', '9999999999999999'])('PATCH answers 404 not_found for agent id %s', async (id) => {
      expectFailure(await patch(`/api/agent/agents/${id}`, { name: 'Ghost' }), 404, 'not_found');
    });
  });
});

/** A Set-Cookie that tells the browser to drop the cookie: Max-Age 0 or an expiry in the past. */
function expiredCookie(cookie: { maxAge?: number; expires?: Date } | undefined): boolean {
  if (!cookie) return false;
  return cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now());
}
