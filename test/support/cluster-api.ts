import { randomBytes } from 'node:crypto';
import type { Options } from 'pusher-js';
import type { MessageDto } from '../../src/chat/dto.js';
import { CLUSTER_ADMIN, CLUSTER_SECRETS, type ClusterNode } from './cluster.js';
import { cookieAuthorizer, PusherClients, type TestClient } from './pusher-clients.js';

/** The chat's HTTP API, spoken to any node of a test cluster over real HTTP, and pusher-js clients for its nodes. */

export const VISITOR_UA = 'Mozilla/5.0 (X11; Linux x86_64) ParleyClusterTest/1.0';

export interface Chat {
  id: number;
  token: string;
}

export interface AgentSession {
  agentId: number;
  cookie: string;
  csrf: string;
  /** The headers a state-changing agent request needs. */
  headers: Record<string, string>;
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** A JSON request to a node; answers the status and the parsed body (or the text when it is not JSON). */
export async function call<T = unknown>(base: string, method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'user-agent': VISITOR_UA, ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

function expectStatus<T>(answer: Answer<T>, status: number, what: string): T {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Logs an agent in on `base`; answers its cookie and CSRF token. */
export async function login(base: string, email = CLUSTER_ADMIN.email, password = CLUSTER_ADMIN.password): Promise<AgentSession> {
  const res = await fetch(`${base}/api/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { agent: { id: number }; csrf_token: string };
  if (res.status !== 200) throw new Error(`login of ${email} on ${base}: ${res.status} ${JSON.stringify(body)}`);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
  if (!setCookie) throw new Error(`login of ${email} on ${base} set no parley_session cookie`);
  const cookie = setCookie.split(';')[0] as string;
  return { agentId: body.agent.id, cookie, csrf: body.csrf_token, headers: { cookie, 'x-csrf-token': body.csrf_token } };
}

/** An admin adds an agent (role `agent`) on `base`; answers its id. */
export async function createAgent(base: string, admin: AgentSession, agent: { email: string; name: string; password: string }): Promise<number> {
  const body = expectStatus(await call<{ agent: { id: number } }>(base, 'POST', '/api/agent/agents', { json: agent, headers: admin.headers }), 201, `creating ${agent.email}`);
  return body.agent.id;
}

let fingerprints = 0;

/** A visitor starts a conversation on `base` (without a first message unless given). */
export async function startChat(base: string, message?: string): Promise<Chat> {
  const fingerprint = `cluster${String(++fingerprints).padStart(10, '0')}${randomBytes(8).toString('hex')}`;
  const body = expectStatus(
    await call<{ conversation: { id: number }; visitor_token: string }>(base, 'POST', '/api/chat/start', { json: { fingerprint, ...(message ? { message } : {}) } }),
    201,
    'starting a chat',
  );
  return { id: body.conversation.id, token: body.visitor_token };
}

/** A visitor message through `base`; answers the status (201 new, 200 repeated) and the message. */
export async function visitorSend(base: string, chat: Chat, body: string, clientMessageId?: string): Promise<Answer<{ message: MessageDto }>> {
  return call(base, 'POST', `/api/chat/${chat.id}/messages`, {
    json: { body, ...(clientMessageId ? { client_message_id: clientMessageId } : {}) },
    headers: { authorization: `Bearer ${chat.token}` },
  });
}

/** An agent reply through `base`. */
export async function agentSend(base: string, session: AgentSession, conversationId: number, body: string, clientMessageId?: string): Promise<Answer<{ message: MessageDto }>> {
  return call(base, 'POST', `/api/agent/conversations/${conversationId}/messages`, {
    json: { body, ...(clientMessageId ? { client_message_id: clientMessageId } : {}) },
    headers: session.headers,
  });
}

/** The visitor's catch-up read: `GET /api/chat/{id}/messages?after=…`, every page. */
export async function messagesAfter(base: string, chat: Chat, after: number): Promise<MessageDto[]> {
  const all: MessageDto[] = [];
  for (let from = after; ; ) {
    const page = expectStatus(
      await call<{ messages: MessageDto[] }>(base, 'GET', `/api/chat/${chat.id}/messages?after=${from}&limit=1000`, { headers: { authorization: `Bearer ${chat.token}` } }),
      200,
      'reading messages',
    );
    all.push(...page.messages);
    const last = page.messages.at(-1);
    if (page.messages.length < 1000 || !last) return all;
    from = last.seq;
  }
}

/** The whole transcript as agents see it, read on `base`. */
export async function transcript(base: string, session: AgentSession, conversationId: number): Promise<MessageDto[]> {
  const body = expectStatus(
    await call<{ messages: MessageDto[] }>(base, 'GET', `/api/agent/conversations/${conversationId}?limit=1000`, { headers: { cookie: session.cookie } }),
    200,
    'reading the transcript',
  );
  return body.messages;
}

// --- pusher-js clients authorised the way the widget and the dashboard are ----------------------

/** The widget's way: pusher-js's ajax authoriser, with the visitor's bearer token, against `authBase`. */
export function visitorClient(clients: PusherClients, authBase: string, chat: Chat, options: Partial<Options> = {}): Promise<TestClient> {
  return clients.connect({
    channelAuthorization: { endpoint: `${authBase}/broadcasting/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${chat.token}` } },
    ...options,
  });
}

/** The dashboard's way: the session cookie (sent with fetch, as Node's XMLHttpRequest cannot set it). */
export function agentClient(clients: PusherClients, authBase: string, session: AgentSession, options: Partial<Options> = {}): Promise<TestClient> {
  return clients.connect({ channelAuthorization: { customHandler: cookieAuthorizer(authBase, session.cookie) }, ...options });
}

/** A pusher-js client set for one node (`clients.connect()` reaches that node's WebSocket). */
export function clientsFor(node: ClusterNode): PusherClients {
  return new PusherClients({ port: node.port, key: CLUSTER_SECRETS.REVERB_APP_KEY });
}
