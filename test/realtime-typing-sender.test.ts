import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantChannel } from '../src/chat/channel-access.js';
import { agentSender, VISITOR_SENDER } from '../src/chat/realtime-contract.js';
import { signingApp } from '../src/compose/chat-realtime-for.js';
import { agentIdOf, typingSender, type PusherMessage } from '../web/shared/typing-sender.js';
import { testConfig, type Harness } from './support/harness.js';
import { cookieAuthorizer, listeningParley, type PusherClients, waitFor, type TestClient } from './support/pusher-clients.js';

/**
 * Client events relayed from a visitor's socket carry a server-set sender (docs/security.md),
 * so a visitor can never appear to the dashboard as an agent.
 */
describe('the sender of typing whispers, end to end with pusher-js', () => {
  let h: Harness;
  let port: number;
  let clients: PusherClients;

  beforeEach(async () => {
    ({ h, port, clients } = await listeningParley());
  });
  afterEach(async () => {
    clients?.closeAll();
    await h?.close();
  });

  const base = () => `http://127.0.0.1:${port}`;

  const startChat = async (): Promise<{ id: number; token: string }> => {
    const res = await h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: 'fp0000000000000001feedface' } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ conversation: { id: number }; visitor_token: string }>();
    return { id: body.conversation.id, token: body.visitor_token };
  };

  /** The next `client-typing` on `channel` as the connection hands it over, server-set user_id included. */
  const nextWhisper = (client: TestClient, channel: string) =>
    waitFor<PusherMessage>('a client-typing whisper', (resolve) => {
      const handler = (message: PusherMessage) => {
        if (message.event === 'client-typing' && message.channel === channel) resolve(message);
      };
      client.pusher.connection.bind('message', handler);
      return () => client.pusher.connection.unbind('message', handler);
    });

  /** A new conversation, with an agent (dashboard cookie) and its visitor (token) subscribed to its channel. */
  const bothOnOneConversation = async () => {
    const chat = await startChat();
    const channel = `private-conversation.${chat.id}`;
    const session = await h.loginAs();
    const agent = await clients.connect({ channelAuthorization: { customHandler: cookieAuthorizer(base(), session.cookie) } });
    const visitor = await clients.connect({
      channelAuthorization: { endpoint: `${base()}/broadcasting/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${chat.token}` } },
    });
    const [agentChannel, visitorChannel] = [await agent.subscribe(channel), await visitor.subscribe(channel)];
    return { agent, visitor, channel, agentChannel, visitorChannel };
  };

  it('a visitor whispering {from: "agent", name: "Agent Bob"} reaches the agent with user_id "visitor"', async () => {
    const { agent, channel, visitorChannel } = await bothOnOneConversation();

    const arrived = nextWhisper(agent, channel);
    visitorChannel.trigger('client-typing', { typing: true, name: 'Agent Bob', from: 'agent' });
    const whisper = await arrived;
    expect(whisper).toMatchObject({ user_id: VISITOR_SENDER, data: { typing: true, name: 'Agent Bob', from: 'agent' } });
    expect(typingSender(whisper.user_id, (whisper.data as { from?: string }).from)).toBe('visitor');
  });

  it("an agent's whisper reaches the visitor with user_id agent:{id}", async () => {
    const { visitor, channel, agentChannel } = await bothOnOneConversation();

    const arrived = nextWhisper(visitor, channel);
    agentChannel.trigger('client-typing', { typing: true, name: 'Admin', from: 'agent' });
    const whisper = await arrived;
    expect(agentIdOf(whisper.user_id)).toBeTypeOf('number');
    expect(typingSender(whisper.user_id, 'visitor')).toBe('agent');
  });

  it('/broadcasting/auth signs a conversation channel with the sender as channel_data', async () => {
    const chat = await startChat();
    const res = await h.request({
      method: 'POST',
      url: '/broadcasting/auth',
      json: { socket_id: '123.456', channel_name: `private-conversation.${chat.id}` },
      headers: { authorization: `Bearer ${chat.token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.json<{ channel_data: string }>().channel_data)).toEqual({ user_id: 'visitor' });
  });
});

describe('who may claim to be whom', () => {
  const agent = { id: 7, name: 'Ann', role: 'agent' as const };

  it('grants a conversation channel with channel_data {"user_id": "visitor" | "agent:{id}"} when the server stamps senders', () => {
    const conversation = { kind: 'conversation' as const, conversationId: 3 };
    expect(grantChannel(conversation, { agent: undefined, visitorConversationId: 3 }, { signSender: true })).toEqual({ ok: true, channelData: '{"user_id":"visitor"}' });
    expect(grantChannel(conversation, { agent, visitorConversationId: undefined }, { signSender: true })).toEqual({ ok: true, channelData: `{"user_id":"${agentSender(7)}"}` });
    expect(grantChannel({ kind: 'agents' }, { agent, visitorConversationId: undefined }, { signSender: true })).toEqual({ ok: true });
  });

  it('grants it without channel_data for hosted Pusher, which signs private channels without it', () => {
    const conversation = { kind: 'conversation' as const, conversationId: 3 };
    expect(grantChannel(conversation, { agent: undefined, visitorConversationId: 3 })).toEqual({ ok: true });
    expect(signingApp(testConfig()).signsSender).toBe(true);
    const pusher = testConfig({ BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_KEY: 'k', PUSHER_APP_SECRET: 's', PUSHER_APP_CLUSTER: 'eu' });
    expect(signingApp(pusher).signsSender).toBe(false);
  });

  it.each([
    ['visitor', 'agent', 'visitor'],
    ['agent:3', 'visitor', 'agent'],
    ['someone', 'agent', 'unknown'],
    [undefined, 'agent', 'agent'],
    [undefined, 'visitor', 'visitor'],
    [undefined, undefined, 'unknown'],
  ] as const)('user_id %s with a whisper claiming %s is taken as %s', (userId, claimed, sender) => {
    expect(typingSender(userId, claimed)).toBe(sender);
  });
});
