import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_LIMITS, type RealtimeApp } from '../src/realtime/apps.js';
import { channelKind } from '../src/realtime/channels/channel-kind.js';
import { parseChannelData, type ChannelMember } from '../src/realtime/protocol/channel-data.js';
import { PUSHER_CODES, type PusherCode } from '../src/realtime/protocol/codes.js';
import { appEventFrame, type ServerFrame } from '../src/realtime/protocol/frames.js';
import { decideSubscription, type SubscriptionDecision, type SubscriptionRequest } from '../src/realtime/server/subscription-decision.js';

// The pure subscription decision: every refusal and every grant, row by row, without a server.

const app: RealtimeApp = { ...DEFAULT_APP_LIMITS, id: 'app-1', key: 'key-1', secret: 'secret-1', maxChannelsPerConnection: 3, maxPresenceMembers: 2 };
const alice = JSON.stringify({ user_id: 'alice', user_info: { name: 'Alice' } });

interface Row {
  name: string;
  channel: string;
  request?: Partial<Omit<SubscriptionRequest, 'channelData'>>;
  channelData?: string;
  /** The decision, with asymmetric matchers where only part of a message matters. */
  expected: unknown;
}

function decide(row: Row): SubscriptionDecision {
  return decideSubscription({
    app,
    channel: row.channel,
    kind: channelKind(row.channel),
    signed: true,
    channelData: row.channelData === undefined ? undefined : parseChannelData(row.channelData),
    channelCount: 0,
    alreadySubscribed: false,
    userId: undefined,
    ...row.request,
  });
}

const allowed = (member?: ChannelMember): SubscriptionDecision => ({ ok: true, member });
const refused = (code: PusherCode, message: string | RegExp): unknown => ({ ok: false, code, message: typeof message === 'string' ? message : expect.stringMatching(message) });

const rows: Row[] = [
  { name: 'a public channel', channel: 'news', expected: allowed() },
  { name: 'a public channel with unsigned garbage channel_data', channel: 'news', request: { signed: false }, channelData: 'not json', expected: allowed() },
  { name: 'a cache channel', channel: 'cache-news', expected: allowed() },
  { name: 'a new channel at the connection limit', channel: 'news', request: { channelCount: 3 }, expected: refused(PUSHER_CODES.TOO_MANY_CHANNELS, 'A connection may subscribe to at most 3 channels') },
  { name: 'a channel already held at the connection limit', channel: 'news', request: { channelCount: 3, alreadySubscribed: true }, expected: allowed() },
  { name: 'the limit before the signature', channel: 'private-room', request: { channelCount: 3, signed: false }, expected: refused(PUSHER_CODES.TOO_MANY_CHANNELS, /at most 3/) },
  { name: 'a signed private channel', channel: 'private-room', expected: allowed() },
  { name: 'an unsigned private channel', channel: 'private-room', request: { signed: false }, expected: refused(PUSHER_CODES.UNAUTHORIZED, 'Invalid signature: subscription to private-room is not authorised') },
  { name: 'a private channel signed with a user', channel: 'private-room', channelData: alice, expected: allowed({ user_id: 'alice', user_info: { name: 'Alice' } }) },
  { name: 'a private channel signed with a numeric user id', channel: 'private-room', channelData: '{"user_id":7}', expected: allowed({ user_id: '7' }) },
  { name: 'a private channel signed with channel_data without user_id', channel: 'private-room', channelData: '{"name":"x"}', expected: refused(PUSHER_CODES.UNAUTHORIZED, 'channel_data must be JSON with a user_id') },
  { name: 'a private channel with unsigned channel_data', channel: 'private-room', channelData: 'not json', request: { signed: false }, expected: refused(PUSHER_CODES.UNAUTHORIZED, /Invalid signature/) },
  { name: 'an encrypted private channel, signed', channel: 'private-encrypted-room', expected: allowed() },
  { name: 'a presence channel without channel_data', channel: 'presence-room', expected: refused(PUSHER_CODES.UNAUTHORIZED, 'Presence channel presence-room needs channel_data') },
  { name: 'a presence channel without channel_data, unsigned', channel: 'presence-room', request: { signed: false }, expected: refused(PUSHER_CODES.UNAUTHORIZED, /needs channel_data/) },
  { name: 'an unsigned presence channel', channel: 'presence-room', channelData: alice, request: { signed: false }, expected: refused(PUSHER_CODES.UNAUTHORIZED, /Invalid signature/) },
  { name: 'a presence channel whose channel_data is not JSON', channel: 'presence-room', channelData: 'alice', expected: refused(PUSHER_CODES.UNAUTHORIZED, 'channel_data must be JSON with a user_id') },
  { name: 'a presence channel whose user_id is empty', channel: 'presence-room', channelData: '{"user_id":""}', expected: refused(PUSHER_CODES.UNAUTHORIZED, /user_id/) },
  { name: 'a presence channel (room is checked by the bus)', channel: 'presence-room', channelData: alice, expected: allowed({ user_id: 'alice', user_info: { name: 'Alice' } }) },
  { name: 'the signed-in user\'s server-to-user channel', channel: '#server-to-user-42', request: { userId: '42' }, expected: allowed() },
  { name: 'another user\'s server-to-user channel', channel: '#server-to-user-43', request: { userId: '42' }, expected: refused(PUSHER_CODES.UNAUTHORIZED, 'Sign in as this user before subscribing to #server-to-user-43') },
  { name: 'a server-to-user channel before signing in', channel: '#server-to-user-42', expected: refused(PUSHER_CODES.UNAUTHORIZED, /Sign in/) },
];

describe('decideSubscription', () => {
  it.each(rows)('$name', (row) => {
    expect(decide(row)).toEqual(row.expected);
  });
});

describe('server frames', () => {
  it('builds app and client events in one shape, user_id only when known', () => {
    expect(appEventFrame('greet', 'news', '{"a":1}')).toEqual({ event: 'greet', channel: 'news', data: '{"a":1}' });
    expect(appEventFrame('client-typing', 'presence-room', '{}', 'alice')).toEqual({ event: 'client-typing', channel: 'presence-room', data: '{}', user_id: 'alice' });
  });

  it('accepts no hand-built frame outside the named variants', () => {
    // @ts-expect-error an application event is made by appEventFrame only
    const handBuilt: ServerFrame = { event: 'greet', channel: 'news', data: '{}' };
    expect(handBuilt.event).toBe('greet');
  });
});
