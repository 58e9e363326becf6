import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect } from 'vitest';
import type { AgentDto } from '../../src/agents/agent-service.js';
import type { AgentConversationDto, MessageDto, VisitorConversationDto } from '../../src/chat/dto.js';
import type { ChatEvent } from '../../src/chat/events.js';
import type { Engine } from '../../src/storage/engine.js';
import { skipEngine } from './engines.js';
import { startHarness, type Harness } from './harness.js';

/** Shared setup for the agent API suites (test/agent-*.test.ts): one Parley per test, the admin logged in. */

export type Method = 'GET' | 'POST' | 'PATCH';
export type Session = Awaited<ReturnType<Harness['loginAs']>>;

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}
export interface StartAnswer {
  conversation: VisitorConversationDto;
  visitor_token: string;
  messages: MessageDto[];
}
export interface Transcript {
  conversation: AgentConversationDto;
  messages: MessageDto[];
  earlier_conversations: AgentConversationDto[];
}
export interface Inbox {
  conversations: AgentConversationDto[];
  next_cursor: string | null;
}

export const AGENT = { email: 'sam@example.test', name: 'Sam Agent', password: 'sam password 123' };
export const ANOTHER_IP = '198.51.100.77';

let fingerprints = 0;
/** A fresh browser fingerprint (16+ hash characters), so every chat is a new device. */
export const newFingerprint = (): string => `fp${String(++fingerprints).padStart(14, '0')}deadbeef`;
let clientIds = 0;
export const newClientId = (prefix = 'c'): string => `${prefix}-${++clientIds}`;

/** Asserts the uniform error shape, its status and code, and (optionally) the fields it names. */
export function expectFailure(res: LightMyRequestResponse, status: number, code: string, ...fields: string[]): ErrorBody['error'] {
  expect(res.statusCode, res.body).toBe(status);
  const { error } = res.json<ErrorBody>();
  expect(error.code).toBe(code);
  expect(error.message).toEqual(expect.any(String));
  for (const field of fields) expect(Object.keys(error.fields ?? {}), `fields of ${res.body}`).toContain(field);
  return error;
}

export const sessionCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'parley_session');

/**
 * Registers, in the calling describe block, a fresh Parley on `engine` before each test with the admin logged in,
 * closed after it; answers that test's Parley and session (read them inside a test) and the helpers that use them.
 */
export function useAgentApi(engine: Engine) {
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

  return {
    /** This test's Parley (the one `restartWith` started, once it has). */
    get h(): Harness {
      return h;
    },
    /** The admin's session, logged in before the test. */
    get admin(): Session {
      return admin;
    },
    restartWith,
    call,
    get,
    post,
    patch,
    startChat,
    visitorSend,
    visitorMessages,
    transcript,
    inbox,
    inboxIds,
    reply,
    createAgent,
    listAgents,
    adminId,
    eventsNamed,
  };
}
