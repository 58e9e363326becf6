import type { LightMyRequestResponse } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { channelAuth, userAuth } from '../src/realtime/protocol/signatures.js';
import { ENGINES } from './support/engines.js';
import { startHarness, TEST_SECRETS, useHarness, type Harness } from './support/harness.js';

const SOCKET = '123456.7890123';
const AGENT = { email: 'sam@example.test', name: 'Sam Agent', password: 'sam password 123', role: 'agent' as const };

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

function expectFailure(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json<ErrorBody>().error.code).toBe(code);
}

let fingerprints = 0;
const newFingerprint = (): string => `fp${String(++fingerprints).padStart(14, '0')}cafebabe`;

describe.each(ENGINES)('POST /broadcasting/auth on %s', (engine) => {
  const harness = useHarness(engine);
  let h: Harness;
  beforeEach(() => {
    h = harness.h;
  });

  /** A visitor's conversation: its id and bearer token. */
  const startChat = async (): Promise<{ id: number; token: string }> => {
    const res = await h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: newFingerprint(), message: 'Hello' } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ conversation: { id: number }; visitor_token: string }>();
    return { id: body.conversation.id, token: body.visitor_token };
  };

  const auth = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    h.request({ method: 'POST', url: '/broadcasting/auth', json: body, headers });
  const asVisitor = (token: string) => ({ authorization: `Bearer ${token}` });
  /** A conversation channel is signed with its sender as channel_data, which the realtime server stamps on client events. */
  const signedAs = (channel: string, userId: string) => {
    const channelData = JSON.stringify({ user_id: userId });
    return { auth: channelAuth(TEST_SECRETS.REVERB_APP_KEY, TEST_SECRETS.REVERB_APP_SECRET, SOCKET, channel, channelData), channel_data: channelData };
  };

  it("signs a visitor's subscription to their own conversation's channel with the REVERB app, as sender \"visitor\"", async () => {
    const chat = await startChat();
    const channel = `private-conversation.${chat.id}`;
    const res = await auth({ socket_id: SOCKET, channel_name: channel }, asVisitor(chat.token));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(signedAs(channel, 'visitor'));
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it("refuses a visitor another conversation's channel with 403 forbidden", async () => {
    const mine = await startChat();
    const theirs = await startChat();
    expectFailure(await auth({ socket_id: SOCKET, channel_name: `private-conversation.${theirs.id}` }, asVisitor(mine.token)), 403, 'forbidden');
  });

  it('refuses a visitor the agent channels', async () => {
    const chat = await startChat();
    for (const channel of ['private-agents', 'presence-agents']) {
      expectFailure(await auth({ socket_id: SOCKET, channel_name: channel }, asVisitor(chat.token)), 403, 'forbidden');
    }
  });

  it('refuses a missing, malformed or wrong token with 403', async () => {
    const chat = await startChat();
    const channel = `private-conversation.${chat.id}`;
    expectFailure(await auth({ socket_id: SOCKET, channel_name: channel }), 403, 'forbidden');
    expectFailure(await auth({ socket_id: SOCKET, channel_name: channel }, { authorization: 'Bearer short' }), 403, 'forbidden');
    expectFailure(await auth({ socket_id: SOCKET, channel_name: channel }, asVisitor('x'.repeat(43))), 403, 'forbidden');
    expectFailure(await auth({ socket_id: SOCKET, channel_name: channel }, { authorization: chat.token }), 403, 'forbidden');
  });

  it('refuses channels Parley does not hand out, even to agents', async () => {
    const admin = await h.loginAs();
    for (const channel of ['private-conversation.abc', 'private-conversation.0', 'private-other', 'presence-conversation.1', 'private-encrypted-agents']) {
      expectFailure(await auth({ socket_id: SOCKET, channel_name: channel }, { cookie: admin.cookie }), 403, 'forbidden');
    }
  });

  it('signs private-agents and any conversation channel (as sender agent:{id}) for a logged-in agent', async () => {
    const chat = await startChat();
    const admin = await h.loginAs();
    const agents = await auth({ socket_id: SOCKET, channel_name: 'private-agents' }, { cookie: admin.cookie });
    expect(agents.statusCode, agents.body).toBe(200);
    expect(agents.json()).toEqual({ auth: channelAuth(TEST_SECRETS.REVERB_APP_KEY, TEST_SECRETS.REVERB_APP_SECRET, SOCKET, 'private-agents') });
    const channel = `private-conversation.${chat.id}`;
    const res = await auth({ socket_id: SOCKET, channel_name: channel }, { cookie: admin.cookie });
    expect(res.statusCode, res.body).toBe(200);
    const userId = JSON.parse(res.json<{ channel_data: string }>().channel_data) as { user_id: string };
    expect(userId.user_id).toMatch(/^agent:\d+$/);
    expect(res.json()).toEqual(signedAs(channel, userId.user_id));
  });

  it('signs presence-agents with channel_data naming the agent', async () => {
    const admin = await h.loginAs();
    const created = await h.request({ method: 'POST', url: '/api/agent/agents', json: AGENT, headers: admin.headers });
    expect(created.statusCode, created.body).toBe(201);
    const agentId = created.json<{ agent: { id: number } }>().agent.id;
    const sam = await h.loginAs(AGENT.email, AGENT.password);

    const res = await auth({ socket_id: SOCKET, channel_name: 'presence-agents' }, { cookie: sam.cookie });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ auth: string; channel_data: string }>();
    expect(JSON.parse(body.channel_data)).toEqual({ user_id: String(agentId), user_info: { name: AGENT.name, role: 'agent' } });
    expect(body.auth).toBe(channelAuth(TEST_SECRETS.REVERB_APP_KEY, TEST_SECRETS.REVERB_APP_SECRET, SOCKET, 'presence-agents', body.channel_data));
  });

  it('refuses an agent cookie after logout', async () => {
    const admin = await h.loginAs();
    expect((await h.request({ method: 'POST', url: '/api/agent/logout', headers: admin.headers })).statusCode).toBe(204);
    expectFailure(await auth({ socket_id: SOCKET, channel_name: 'private-agents' }, { cookie: admin.cookie }), 403, 'forbidden');
  });

  it('accepts the form-encoded body pusher-js sends', async () => {
    const chat = await startChat();
    const channel = `private-conversation.${chat.id}`;
    const res = await h.request({
      method: 'POST',
      url: '/broadcasting/auth',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...asVisitor(chat.token) },
      payload: new URLSearchParams({ socket_id: SOCKET, channel_name: channel }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(signedAs(channel, 'visitor'));
  });

  it('answers 422 validation_failed naming socket_id when it is not a Pusher socket id', async () => {
    const chat = await startChat();
    for (const socketId of ['abc', '1234', '1.2.3', '1234.5678:private-agents']) {
      const res = await auth({ socket_id: socketId, channel_name: `private-conversation.${chat.id}` }, asVisitor(chat.token));
      expectFailure(res, 422, 'validation_failed');
      expect(Object.keys(res.json<ErrorBody>().error.fields ?? {})).toContain('socket_id');
    }
    const missing = await auth({ socket_id: SOCKET }, asVisitor(chat.token));
    expectFailure(missing, 422, 'validation_failed');
    expect(Object.keys(missing.json<ErrorBody>().error.fields ?? {})).toContain('channel_name');
  });

  it('answers CORS preflights from the embedding site, like the rest of the customer API', async () => {
    const res = await h.request({
      method: 'OPTIONS',
      url: '/broadcasting/auth',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('signs with the PUSHER app, without channel_data as Pusher expects, when broadcasting through Pusher', async () => {
    await h.close();
    h = await startHarness(engine, { BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '42', PUSHER_APP_KEY: 'pusher-key', PUSHER_APP_SECRET: 'pusher-secret' });
    const chat = await startChat();
    const channel = `private-conversation.${chat.id}`;
    const res = await auth({ socket_id: SOCKET, channel_name: channel }, asVisitor(chat.token));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ auth: channelAuth('pusher-key', 'pusher-secret', SOCKET, channel) });
  });
});

describe.each(ENGINES)('POST /broadcasting/user-auth on %s', (engine) => {
  const harness = useHarness(engine);
  let h: Harness;
  beforeEach(() => {
    h = harness.h;
  });

  it('signs user_data naming the logged-in agent, for pusher:signin', async () => {
    const admin = await h.loginAs();
    const me = (await h.request({ method: 'GET', url: '/api/agent/me', headers: admin.headers })).json<{ agent: { id: number; name: string } }>().agent;
    const res = await h.request({
      method: 'POST',
      url: '/broadcasting/user-auth',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: `socket_id=${SOCKET}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ auth: string; user_data: string }>();
    expect(JSON.parse(body.user_data)).toEqual({ id: String(me.id), user_info: { name: me.name } });
    expect(body.auth).toBe(userAuth(TEST_SECRETS.REVERB_APP_KEY, TEST_SECRETS.REVERB_APP_SECRET, SOCKET, body.user_data));
  });

  it('refuses visitors and anonymous callers with 403 forbidden', async () => {
    const started = await h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: newFingerprint() } });
    const token = started.json<{ visitor_token: string }>().visitor_token;
    expectFailure(await h.request({ method: 'POST', url: '/broadcasting/user-auth', json: { socket_id: SOCKET }, headers: { authorization: `Bearer ${token}` } }), 403, 'forbidden');
    expectFailure(await h.request({ method: 'POST', url: '/broadcasting/user-auth', json: { socket_id: SOCKET } }), 403, 'forbidden');
  });

  it('answers 422 for a bad socket_id', async () => {
    const admin = await h.loginAs();
    expectFailure(await h.request({ method: 'POST', url: '/broadcasting/user-auth', json: { socket_id: 'nope' }, headers: { cookie: admin.cookie } }), 422, 'validation_failed');
  });
});

