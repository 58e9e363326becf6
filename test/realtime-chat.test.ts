import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { useListeningParley, waitFor, type AgentLogin, type TestClient } from './support/pusher-clients.js';
import { TEST_SECRETS } from './support/harness.js';

let fingerprints = 0;
const newFingerprint = (): string => `fp${String(++fingerprints).padStart(14, '0')}feedface`;

/**
 * A listening Parley with the embedded realtime server, and pusher-js clients talking to it over
 * real WebSockets and real HTTP: the chat's realtime contract (docs/realtime.md, "Chat channels and events") end to end.
 */
describe('realtime chat on the embedded server', () => {
  const p = useListeningParley();
  const { base, agentClient } = p;

  const startChat = async (message?: string): Promise<{ id: number; token: string }> => {
    const res = await p.h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: newFingerprint(), ...(message ? { message } : {}) } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ conversation: { id: number }; visitor_token: string }>();
    return { id: body.conversation.id, token: body.visitor_token };
  };

  const agentReply = async (conversationId: number, body: string, session: AgentLogin = p.admin) => {
    const res = await p.h.request({ method: 'POST', url: `/api/agent/conversations/${conversationId}/messages`, json: { body }, headers: session.headers });
    expect(res.statusCode, res.body).toBe(201);
  };

  /** The widget's way: pusher-js's own ajax authoriser, form-encoded, with the visitor's bearer token. */
  const visitorClient = (token: string): Promise<TestClient> =>
    p.clients.connect({
      channelAuthorization: { endpoint: `${base()}/broadcasting/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
    });

  it("delivers an agent's reply to the visitor as MessageSent on private-conversation.{id}", async () => {
    const chat = await startChat('Hello?');
    const visitor = await visitorClient(chat.token);
    await visitor.subscribe(`private-conversation.${chat.id}`);

    const delivered = visitor.nextEvent<{ message: MessageDto }>(`private-conversation.${chat.id}`, 'MessageSent');
    await agentReply(chat.id, 'Hi, how can I help?');
    expect((await delivered).message).toMatchObject({ conversation_id: chat.id, sender: 'agent', body: 'Hi, how can I help?', seq: 2 });
  });

  it("refuses a visitor's subscription to another conversation with pusher:subscription_error 403", async () => {
    const mine = await startChat();
    const theirs = await startChat();
    const visitor = await visitorClient(mine.token);

    const error = await waitFor<{ status: number }>('pusher:subscription_error', (resolve) => {
      visitor.pusher.subscribe(`private-conversation.${theirs.id}`).bind('pusher:subscription_error', resolve);
    });
    expect(error.status).toBe(403);
  });

  it('tells agents on private-agents about new conversations and messages', async () => {
    const agent = await agentClient(p.admin);
    await agent.subscribe('private-agents');

    const started = agent.nextEvent<{ conversation: { id: number } }>('private-agents', 'ConversationStarted');
    const chat = await startChat();
    expect((await started).conversation.id).toBe(chat.id);

    const sent = agent.nextEvent<{ message: MessageDto }>('private-agents', 'MessageSent');
    const res = await p.h.request({ method: 'POST', url: `/api/chat/${chat.id}/messages`, json: { body: 'Anyone there?' }, headers: { authorization: `Bearer ${chat.token}` } });
    expect(res.statusCode, res.body).toBe(201);
    expect((await sent).message).toMatchObject({ conversation_id: chat.id, sender: 'visitor', body: 'Anyone there?' });
  });

  it('announces AvailabilityChanged on chat-status when an agent joins and leaves presence-agents', async () => {
    const widget = await p.clients.connect();
    await widget.subscribe('chat-status');

    const online = widget.nextEvent<{ agents_online: number }>('chat-status', 'AvailabilityChanged');
    const agent = await agentClient(p.admin);
    await agent.subscribe('presence-agents');
    expect(await online).toEqual({ agents_online: 1, available: true, next_available_at: null });
    expect((await p.h.request({ method: 'GET', url: '/api/chat/config' })).json()).toMatchObject({ agents_online: 1 });

    const offline = widget.nextEvent<{ agents_online: number }>('chat-status', 'AvailabilityChanged');
    agent.pusher.disconnect();
    expect(await offline).toEqual({ agents_online: 0, available: false, next_available_at: null });
    expect((await p.h.request({ method: 'GET', url: '/api/chat/config' })).json()).toMatchObject({ agents_online: 0 });
  });

  it('counts an agent with two tabs once', async () => {
    const widget = await p.clients.connect();
    await widget.subscribe('chat-status');
    const first = await agentClient(p.admin);
    const online = widget.nextEvent<{ agents_online: number }>('chat-status', 'AvailabilityChanged');
    await first.subscribe('presence-agents');
    expect(await online).toEqual({ agents_online: 1, available: true, next_available_at: null });

    const second = await agentClient(p.admin);
    await second.subscribe('presence-agents');
    expect((await p.h.request({ method: 'GET', url: '/api/chat/config' })).json()).toMatchObject({ agents_online: 1 });
    // The second tab changed nothing, so the next announcement is the last tab leaving.
    const offline = widget.nextEvent<{ agents_online: number }>('chat-status', 'AvailabilityChanged');
    first.pusher.disconnect();
    second.pusher.disconnect();
    expect(await offline).toEqual({ agents_online: 0, available: false, next_available_at: null });
  });

  const countConnections = async () => p.h.parley.realtimeNode?.connectionCount();

  it("disconnects a deactivated agent's open dashboard connection (4009), so it stops receiving visitors' messages", async () => {
    const created = await p.h.request({ method: 'POST', url: '/api/agent/agents', headers: p.admin.headers, json: { name: 'Sam', email: 'sam@example.test', password: 'sam-password-123', role: 'agent' } });
    expect(created.statusCode).toBe(201);
    const sam = await p.h.loginAs('sam@example.test', 'sam-password-123');
    const samClient = await agentClient(sam);
    await samClient.subscribe('private-agents');
    await samClient.subscribe('presence-agents');
    const adminClient = await agentClient(p.admin);
    await adminClient.subscribe('presence-agents');

    const { id } = (created.json() as { agent: { id: number } }).agent;
    const res = await p.h.request({ method: 'PATCH', url: `/api/agent/agents/${id}`, headers: p.admin.headers, json: { active: false } });
    expect(res.statusCode).toBe(200);
    // pusher-js does not reconnect after a 4000–4099 close, so nothing more reaches that dashboard.
    await expect.poll(() => samClient.pusher.connection.state, { timeout: 5_000 }).not.toBe('connected');
    expect(await countConnections()).toBe(1);
    // The admin's own dashboard stays connected.
    expect(adminClient.pusher.connection.state).toBe('connected');
  });

  it("works with laravel-echo 2 (broadcaster 'reverb'): .private('conversation.X').listen('.MessageSent')", async () => {
    const chat = await startChat();
    const echo = new Echo({
      broadcaster: 'reverb',
      // At run time the default import is the pusher-js class, which is what Echo's types call the module.
      Pusher: PusherJs,
      key: TEST_SECRETS.REVERB_APP_KEY,
      wsHost: '127.0.0.1',
      wsPort: p.port,
      wssPort: p.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      authEndpoint: `${base()}/broadcasting/auth`,
      bearerToken: chat.token,
    });
    try {
      const channel = echo.private(`conversation.${chat.id}`);
      await waitFor<void>('Echo subscription', (resolve, reject) => {
        channel.subscribed(() => resolve()).error((error: unknown) => reject(new Error(`subscription failed: ${JSON.stringify(error)}`)));
      });
      const delivered = waitFor<{ message: MessageDto }>('.MessageSent through Echo', (resolve) => {
        channel.listen('.MessageSent', resolve);
      });
      await agentReply(chat.id, 'Echo hears this');
      expect((await delivered).message).toMatchObject({ body: 'Echo hears this', sender: 'agent' });
    } finally {
      echo.disconnect();
    }
  });

  it('tells the widget how to connect in GET /api/chat/config', async () => {
    const res = await p.h.request({ method: 'GET', url: '/api/chat/config' });
    expect(res.json()).toMatchObject({
      broadcaster: 'reverb',
      key: TEST_SECRETS.REVERB_APP_KEY,
      wsHost: 'localhost',
      wsPort: 8080,
      wssPort: 8080,
      forceTLS: false,
      authEndpoint: 'http://localhost:8080/broadcasting/auth',
      agents_online: 0,
    });
  });
});
