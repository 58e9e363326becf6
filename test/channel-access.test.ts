import { describe, expect, it } from 'vitest';
import { agentUserData, grantChannel, type Requester } from '../src/chat/channel-access.js';
import { parseChatChannel } from '../src/chat/realtime-contract.js';
import { pusherEndpoint } from '../src/broadcasting/pusher-broadcaster.js';
import { TEST_SECRETS, testConfig } from './support/harness.js';

const AGENT = { id: 7, name: 'Sam', role: 'agent' as const };
const nobody: Requester = { agent: undefined, visitorConversationId: undefined };
const agent: Requester = { agent: AGENT, visitorConversationId: undefined };
const visitorOf12: Requester = { agent: undefined, visitorConversationId: 12 };

describe('parseChatChannel', () => {
  it.each([
    ['private-conversation.12', { kind: 'conversation', conversationId: 12 }],
    ['private-agents', { kind: 'agents' }],
    ['presence-agents', { kind: 'agents-presence' }],
    ['private-conversation.0', undefined],
    ['private-conversation.012', undefined],
    ['private-conversation.1e3', undefined],
    ['private-conversation.99999999999999999', undefined],
    ['private-conversation.', undefined],
    ['presence-conversation.12', undefined],
    ['private-encrypted-conversation.12', undefined],
    ['chat-status', undefined],
    ['private-agents-extra', undefined],
  ])('%s is %j', (name, expected) => {
    expect(parseChatChannel(name)).toEqual(expected);
  });
});

describe('grantChannel', () => {
  it.each([
    ['a visitor, their own conversation', 'private-conversation.12', visitorOf12, true],
    ['a visitor, another conversation', 'private-conversation.13', visitorOf12, false],
    ['a visitor, private-agents', 'private-agents', visitorOf12, false],
    ['a visitor, presence-agents', 'presence-agents', visitorOf12, false],
    ['an agent, any conversation', 'private-conversation.13', agent, true],
    ['an agent, private-agents', 'private-agents', agent, true],
    ['an agent, presence-agents', 'presence-agents', agent, true],
    ['an agent, a channel Parley does not use', 'private-other', agent, false],
    ['nobody, a conversation', 'private-conversation.12', nobody, false],
    ['nobody, private-agents', 'private-agents', nobody, false],
  ])('%s: %s → %s', (_who, channel, requester, allowed) => {
    expect(grantChannel(parseChatChannel(channel), requester).ok).toBe(allowed);
  });

  it('gives agents presence channel_data with their id as a string, name and role', () => {
    const grant = grantChannel({ kind: 'agents-presence' }, agent);
    expect(grant.ok && JSON.parse(grant.channelData ?? 'null')).toEqual({ user_id: '7', user_info: { name: 'Sam', role: 'agent' } });
    expect(grantChannel({ kind: 'agents' }, agent)).toEqual({ ok: true });
  });

  it('signs agents in with their id and name as user_data', () => {
    expect(JSON.parse(agentUserData(AGENT))).toEqual({ id: '7', user_info: { name: 'Sam' } });
  });
});

describe('pusherEndpoint', () => {
  it('publishes to REVERB_HOST:REVERB_PORT with the REVERB app when the Reverb server is external', () => {
    const config = testConfig({ REVERB_SERVER: 'external', REVERB_HOST: 'ws.example', REVERB_PORT: '6001', REVERB_SCHEME: 'https' });
    expect(pusherEndpoint(config)).toEqual({ appId: '100001', key: 'test-key', secret: TEST_SECRETS.REVERB_APP_SECRET, cluster: 'mt1', host: 'ws.example', port: 6001, scheme: 'https' });
  });

  it("publishes to hosted Pusher's cluster, over HTTPS, when no PUSHER_HOST is set", () => {
    const config = testConfig({ BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_KEY: 'k', PUSHER_APP_SECRET: 's', PUSHER_APP_CLUSTER: 'eu' });
    expect(pusherEndpoint(config)).toEqual({ appId: '1', key: 'k', secret: 's', cluster: 'eu', host: undefined, port: undefined, scheme: 'https' });
  });

  it('publishes to PUSHER_HOST, PUSHER_PORT and PUSHER_SCHEME when set', () => {
    const config = testConfig({ BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_KEY: 'k', PUSHER_APP_SECRET: 's', PUSHER_HOST: 'soketi.local', PUSHER_PORT: '6001', PUSHER_SCHEME: 'http' });
    expect(pusherEndpoint(config)).toMatchObject({ host: 'soketi.local', port: 6001, scheme: 'http' });
  });

  it.each([
    ['the embedded Reverb server', {}],
    ['log', { BROADCAST_DRIVER: 'log' }],
    ['null', { BROADCAST_DRIVER: 'null' }],
  ])('has no HTTP endpoint for %s', (_name, env) => {
    expect(pusherEndpoint(testConfig(env))).toBeUndefined();
  });
});
