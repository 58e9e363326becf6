import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, type Clock } from '../src/chat/clock.js';
import { AppRegistry, DEFAULT_APP_LIMITS, type RealtimeApp } from '../src/realtime/apps.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { channelAuth, userAuth } from '../src/realtime/protocol/signatures.js';
import type { Connection } from '../src/realtime/server/connection.js';
import type { HandshakeRequest } from '../src/realtime/server/handshake.js';
import { RealtimeServer } from '../src/realtime/server/realtime-server.js';
import { MemoryBus } from '../src/scaling/memory-bus.js';
import { dataOf, MemorySocket, type SentFrame } from './support/memory-socket.js';

const logger = pino({ level: 'silent' });
const KEY = 'key-1';
const SECRET = 'secret-1';

/** One in-process client: a fake socket and the server's connection for it. */
class Client {
  constructor(
    readonly server: RealtimeServer,
    readonly socket: MemorySocket,
    readonly conn: Connection,
    readonly socketId: string,
  ) {}

  /** Sends one text frame (objects are JSON-encoded) and waits until the server has handled it. */
  send(frame: unknown): Promise<void> {
    return this.server.receive(this.conn, typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next(event?: string, options?: { channel?: string; strict?: boolean }): Promise<SentFrame> {
    return this.socket.next(event, options);
  }

  /** Subscribes with whatever auth is given; answers the first frame the server sends back for it. */
  async subscribe(channel: string, auth?: string, channelData?: string): Promise<SentFrame> {
    await this.send({ event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } });
    return this.next(undefined, { strict: true });
  }

  /** Subscribes to a public or private channel with a valid signature and expects success. */
  async join(channel: string): Promise<void> {
    const auth = channel.startsWith('private-') ? channelAuth(KEY, SECRET, this.socketId, channel) : undefined;
    const frame = await this.subscribe(channel, auth);
    expect(frame).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel });
  }

  /** Joins a presence channel as `userId`; answers the `subscription_succeeded` presence data. */
  async joinPresence(channel: string, userId: string | number, userInfo?: unknown): Promise<PresenceData> {
    const channelData = JSON.stringify({ user_id: userId, user_info: userInfo });
    const frame = await this.subscribe(channel, channelAuth(KEY, SECRET, this.socketId, channel, channelData), channelData);
    expect(frame).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel });
    return dataOf<{ presence: PresenceData }>(frame).presence;
  }

  async expectPong(): Promise<void> {
    await this.send({ event: 'pusher:ping', data: {} });
    expect(await this.next(undefined, { strict: true })).toEqual({ event: 'pusher:pong', data: {} });
  }

  /** Expects the very next frame to be `pusher:error` with this code. */
  async expectError(code: number): Promise<SentFrame> {
    const frame = await this.next(undefined, { strict: true });
    expect(frame).toMatchObject({ event: 'pusher:error', data: { code } });
    return frame;
  }

  /** Nothing with this event has arrived (all in-process delivery is done once `send`/`trigger` resolve). */
  expectNo(event: string): void {
    expect(this.socket.pendingOf(event)).toEqual([]);
  }

  disconnect(): Promise<void> {
    return this.server.disconnect(this.conn);
  }
}

interface PresenceData {
  ids: string[];
  hash: Record<string, unknown>;
  count: number;
}

interface Setup {
  server: RealtimeServer;
  app: RealtimeApp;
  bus: MemoryBus;
  /** Opens a connection and takes its `connection_established`. */
  connect(): Promise<Client>;
  /** Opens a socket with a raw handshake request; for refusals. */
  open(request?: Partial<HandshakeRequest>): { socket: MemorySocket; conn: Connection | undefined };
}

const servers: RealtimeServer[] = [];

function setup(limits: Partial<RealtimeApp> = {}, clock?: Clock): Setup {
  const app: RealtimeApp = { ...DEFAULT_APP_LIMITS, id: 'app-1', key: KEY, secret: SECRET, ...limits };
  const other: RealtimeApp = { ...DEFAULT_APP_LIMITS, id: 'app-2', key: 'key-2', secret: 'secret-2' };
  const bus = new MemoryBus(clock);
  const server = new RealtimeServer({ apps: new AppRegistry([app, other]), bus, logger, ...(clock ? { clock } : {}) });
  servers.push(server);
  const open: Setup['open'] = (request = {}) => {
    const socket = new MemorySocket();
    const conn = server.open(socket, { appKey: KEY, protocol: '7', origin: undefined, ...request });
    return { socket, conn };
  };
  const connect = async () => {
    const { socket, conn } = open();
    if (!conn) throw new Error(`connection refused: ${JSON.stringify(socket.frames)}`);
    const established = await socket.next('pusher:connection_established', { strict: true });
    return new Client(server, socket, conn, dataOf<{ socket_id: string }>(established).socket_id);
  };
  return { server, app, bus, connect, open };
}

afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) await server.stop();
});

describe('connecting', () => {
  it('sends pusher:connection_established with a socket_id and the app activity_timeout', async () => {
    const { open } = setup({ activityTimeout: 45 });
    const { socket, conn } = open();
    expect(conn).toBeDefined();
    const frame = await socket.next(undefined, { strict: true });
    expect(frame.event).toBe('pusher:connection_established');
    expect(typeof frame.data).toBe('string');
    const data = dataOf<{ socket_id: string; activity_timeout: number }>(frame);
    expect(data.socket_id).toMatch(/^\d+\.\d+$/);
    expect(data.activity_timeout).toBe(45);
    expect(conn?.socketId).toBe(data.socket_id);
  });

  it('gives every connection its own socket id', async () => {
    const { connect } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await connect()).socketId);
    expect(ids.size).toBe(20);
  });

  it.each([
    { name: 'an unknown app key', request: { appKey: 'nope' }, code: PUSHER_CODES.APP_NOT_FOUND },
    { name: 'no protocol version', request: { protocol: null }, code: PUSHER_CODES.NO_PROTOCOL_VERSION },
    { name: 'an empty protocol version', request: { protocol: '' }, code: PUSHER_CODES.NO_PROTOCOL_VERSION },
    { name: 'a non-numeric protocol version', request: { protocol: '7.0' }, code: PUSHER_CODES.INVALID_VERSION },
    { name: 'protocol version 3', request: { protocol: '3' }, code: PUSHER_CODES.UNSUPPORTED_PROTOCOL },
    { name: 'protocol version 8', request: { protocol: '8' }, code: PUSHER_CODES.UNSUPPORTED_PROTOCOL },
  ])('refuses $name with pusher:error and close code $code', async ({ request, code }) => {
    const { open } = setup();
    const { socket, conn } = open(request);
    expect(conn).toBeUndefined();
    expect(socket.frames).toEqual([{ event: 'pusher:error', data: { code, message: expect.any(String) } }]);
    expect(socket.closed?.code).toBe(code);
  });

  it('refuses an Origin the app does not allow with 4009, and accepts an allowed one or none', async () => {
    const { open } = setup({ allowedOrigins: ['https://shop.example'] });
    const refused = open({ origin: 'https://evil.example' });
    expect(refused.conn).toBeUndefined();
    expect(refused.socket.frames[0]).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.UNAUTHORIZED } });
    expect(refused.socket.closed?.code).toBe(PUSHER_CODES.UNAUTHORIZED);
    expect(open({ origin: 'https://shop.example' }).conn).toBeDefined();
    expect(open({ origin: undefined }).conn).toBeDefined();
  });

  it('refuses connections over the app maxConnections with 4004, and accepts again once one leaves', async () => {
    const { open, connect } = setup({ maxConnections: 2 });
    const first = await connect();
    await connect();
    const over = open();
    expect(over.conn).toBeUndefined();
    expect(over.socket.frames[0]).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.OVER_CONNECTION_QUOTA } });
    expect(over.socket.closed?.code).toBe(PUSHER_CODES.OVER_CONNECTION_QUOTA);
    await first.disconnect();
    expect(open().conn).toBeDefined();
  });

  it('counts connections per app: another app is not limited by this one', async () => {
    const { open, connect } = setup({ maxConnections: 1 });
    await connect();
    expect(open({ appKey: 'key-2' }).conn).toBeDefined();
  });

  it('answers pusher:ping with pusher:pong and accepts pusher:pong silently', async () => {
    const { connect } = setup();
    const a = await connect();
    await a.expectPong();
    await a.send({ event: 'pusher:pong', data: {} });
    expect(a.socket.pending()).toEqual([]);
  });
});

describe('public and private channels', () => {
  it('subscribes to a public channel: pusher_internal:subscription_succeeded', async () => {
    const { connect } = setup();
    const a = await connect();
    expect(await a.subscribe('news')).toEqual({ event: 'pusher_internal:subscription_succeeded', channel: 'news', data: '{}' });
  });

  it('subscribes to a private channel with a correct channelAuth signature', async () => {
    const { connect } = setup();
    const a = await connect();
    const frame = await a.subscribe('private-room', channelAuth(KEY, SECRET, a.socketId, 'private-room'));
    expect(frame).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel: 'private-room' });
  });

  it.each([
    { name: 'no signature', auth: () => undefined },
    { name: 'an empty signature', auth: () => '' },
    { name: 'a signature made with the wrong secret', auth: (id: string) => channelAuth(KEY, 'wrong', id, 'private-room') },
    { name: 'a signature for another socket id', auth: () => channelAuth(KEY, SECRET, '1.2', 'private-room') },
    { name: 'a signature for another channel', auth: (id: string) => channelAuth(KEY, SECRET, id, 'private-other') },
    { name: 'a signature under another key', auth: (id: string) => channelAuth('key-2', SECRET, id, 'private-room') },
    { name: 'a bare signature without the key', auth: (id: string) => channelAuth(KEY, SECRET, id, 'private-room').split(':')[1] },
  ])('refuses a private subscription with $name: pusher:error 4009, subscription_error, no subscription', async ({ auth }) => {
    const { connect, server, app } = setup();
    const a = await connect();
    expect(await a.subscribe('private-room', auth(a.socketId))).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.UNAUTHORIZED } });
    expect(await a.next(undefined, { strict: true })).toMatchObject({
      event: 'pusher:subscription_error',
      channel: 'private-room',
      data: { type: 'AuthError', status: 401 },
    });
    expect(a.conn.channels.has('private-room')).toBe(false);
    await server.trigger(app, ['private-room'], 'Secret', '{}');
    a.expectNo('Secret');
  });

  it('delivers an event triggered on a channel to its subscribers, except the socket named by except', async () => {
    const { connect, server, app } = setup();
    const [a, b, outsider] = [await connect(), await connect(), await connect()];
    await a.join('news');
    await b.join('news');
    await outsider.join('other');
    await server.trigger(app, ['news', 'other'], 'Published', JSON.stringify({ n: 1 }), b.socketId);
    expect(await a.next('Published')).toEqual({ event: 'Published', channel: 'news', data: '{"n":1}' });
    b.expectNo('Published');
    expect(await outsider.next('Published')).toEqual({ event: 'Published', channel: 'other', data: '{"n":1}' });
  });

  it('keeps apps apart: an event of one app never reaches the same channel of another', async () => {
    const { connect, server, open } = setup();
    const a = await connect();
    await a.join('news');
    const { socket, conn } = open({ appKey: 'key-2' });
    const other = new Client(server, socket, conn as Connection, '');
    socket.drain();
    await other.join('news');
    await server.trigger(server.apps.findById('app-2') as RealtimeApp, ['news'], 'ForApp2', '{}');
    a.expectNo('ForApp2');
    expect(await other.next('ForApp2')).toMatchObject({ channel: 'news' });
  });

  it('stops delivering after pusher:unsubscribe', async () => {
    const { connect, server, app } = setup();
    const a = await connect();
    await a.join('news');
    await a.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    await server.trigger(app, ['news'], 'Late', '{}');
    a.expectNo('Late');
    expect(a.conn.channels.size).toBe(0);
  });

  it('delivers once to a connection that subscribes to the same channel twice', async () => {
    const { connect, server, app, bus } = setup();
    const a = await connect();
    await a.join('news');
    await a.join('news');
    expect(await bus.subscriptionCount(app.id, 'news')).toBe(1);
    await server.trigger(app, ['news'], 'Once', '{}');
    await a.next('Once');
    a.expectNo('Once');
  });

  it('accepts subscribe data sent as a JSON string, as some clients do', async () => {
    const { connect } = setup();
    const a = await connect();
    await a.send({ event: 'pusher:subscribe', data: JSON.stringify({ channel: 'news' }) });
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel: 'news' });
  });

  it('leaves no subscription behind when a connection disconnects while its subscribe is in flight', async () => {
    const { connect, app, bus } = setup();
    const a = await connect();
    const subscribing = a.send({ event: 'pusher:subscribe', data: { channel: 'private-room', auth: channelAuth(KEY, SECRET, a.socketId, 'private-room') } });
    await a.disconnect();
    await subscribing;
    expect(await bus.channels(app.id)).toEqual(new Map());
  });

  it('ignores frames that arrive after the server closed the connection', async () => {
    const { connect, server, app, bus } = setup();
    const a = await connect();
    await server.stop();
    await a.send({ event: 'pusher:subscribe', data: { channel: 'news' } });
    expect(await bus.channels(app.id)).toEqual(new Map());
  });

  it('leaves every channel when a connection disconnects', async () => {
    const { connect, server, app, bus } = setup();
    const a = await connect();
    await a.join('news');
    await a.join('private-room');
    await a.disconnect();
    expect(await bus.channels(app.id)).toEqual(new Map());
    expect(server.connectionCount()).toBe(0);
  });
});

describe('presence channels', () => {
  it('answers subscription_succeeded with the roster: ids, hash and count', async () => {
    const { connect } = setup();
    const [a, b] = [await connect(), await connect()];
    expect(await a.joinPresence('presence-team', 1, { name: 'Ada' })).toEqual({ ids: ['1'], hash: { '1': { name: 'Ada' } }, count: 1 });
    const roster = await b.joinPresence('presence-team', 'u2', { name: 'Grace' });
    expect(roster.count).toBe(2);
    expect(roster.ids.sort()).toEqual(['1', 'u2']);
    expect(roster.hash).toEqual({ '1': { name: 'Ada' }, u2: { name: 'Grace' } });
  });

  it('sends member_added to the others on a user first connection only, never to the subscriber itself', async () => {
    const { connect } = setup();
    const [a, b, b2] = [await connect(), await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada', { name: 'Ada' });
    await b.joinPresence('presence-team', 'bob', { name: 'Bob' });
    expect(await a.next('pusher_internal:member_added')).toEqual({
      event: 'pusher_internal:member_added',
      channel: 'presence-team',
      data: JSON.stringify({ user_id: 'bob', user_info: { name: 'Bob' } }),
    });
    b.expectNo('pusher_internal:member_added');

    expect((await b2.joinPresence('presence-team', 'bob', { name: 'Bob' })).count).toBe(2);
    a.expectNo('pusher_internal:member_added');
    b.expectNo('pusher_internal:member_added');
    b2.expectNo('pusher_internal:member_added');
  });

  it('sends member_removed only after the last connection of a user leaves', async () => {
    const { connect } = setup();
    const [a, b, b2] = [await connect(), await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada');
    await b.joinPresence('presence-team', 'bob');
    await b2.joinPresence('presence-team', 'bob');
    await b.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-team' } });
    a.expectNo('pusher_internal:member_removed');
    b2.expectNo('pusher_internal:member_removed');
    await b2.disconnect();
    expect(await a.next('pusher_internal:member_removed')).toEqual({
      event: 'pusher_internal:member_removed',
      channel: 'presence-team',
      data: JSON.stringify({ user_id: 'bob' }),
    });
  });

  it('follows a disconnect with member_removed', async () => {
    const { connect } = setup();
    const [a, b] = [await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada');
    await b.joinPresence('presence-team', 'bob');
    await b.disconnect();
    expect(dataOf(await a.next('pusher_internal:member_removed'))).toEqual({ user_id: 'bob' });
    const c = await connect();
    expect((await c.joinPresence('presence-team', 'cy')).ids.sort()).toEqual(['ada', 'cy']);
  });

  it.each([
    { name: 'without channel_data', channelData: undefined, sign: 'x' },
    { name: 'whose channel_data is not JSON', channelData: 'not json', sign: 'not json' },
    { name: 'whose channel_data has no user_id', channelData: '{"user_info":{}}', sign: '{"user_info":{}}' },
    { name: 'whose channel_data differs from what was signed', channelData: '{"user_id":"admin"}', sign: '{"user_id":"bob"}' },
  ])('refuses a presence subscription $name with 4009', async ({ channelData, sign }) => {
    const { connect } = setup();
    const a = await connect();
    const frame = await a.subscribe('presence-team', channelAuth(KEY, SECRET, a.socketId, 'presence-team', sign), channelData);
    expect(frame).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.UNAUTHORIZED } });
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'pusher:subscription_error', channel: 'presence-team' });
    expect(a.conn.channels.size).toBe(0);
  });

  it('refuses a third user over maxPresenceMembers with 4303, but lets an existing user connect again', async () => {
    const { connect } = setup({ maxPresenceMembers: 2 });
    const [a, b, c, a2] = [await connect(), await connect(), await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada');
    await b.joinPresence('presence-team', 'bob');
    a.socket.drain();
    const channelData = JSON.stringify({ user_id: 'cy' });
    const refused = await c.subscribe('presence-team', channelAuth(KEY, SECRET, c.socketId, 'presence-team', channelData), channelData);
    expect(refused).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.SUBSCRIPTION_REJECTED } });
    expect(await c.next(undefined, { strict: true })).toMatchObject({ event: 'pusher:subscription_error', channel: 'presence-team', data: { status: 403 } });
    a.expectNo('pusher_internal:member_added');
    expect((await a2.joinPresence('presence-team', 'ada')).count).toBe(2);
  });
});

describe('client events', () => {
  const typing = (channel: string, data: unknown = { typing: true }) => ({ event: 'client-typing', channel, data });

  it('delivers a client event to the other subscribers only, never echoing it to the sender', async () => {
    const { connect } = setup();
    const [a, b, c] = [await connect(), await connect(), await connect()];
    for (const client of [a, b, c]) await client.join('private-room');
    await a.send(typing('private-room', { typing: true, name: 'Ada' }));
    for (const other of [b, c]) {
      const frame = await other.next('client-typing');
      expect(frame).toEqual({ event: 'client-typing', channel: 'private-room', data: JSON.stringify({ typing: true, name: 'Ada' }) });
    }
    a.expectNo('client-typing');
    a.expectNo('pusher:error');
  });

  it('adds user_id to client events on presence channels', async () => {
    const { connect } = setup();
    const [a, b] = [await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada');
    await b.joinPresence('presence-team', 'bob');
    await a.send(typing('presence-team'));
    expect(await b.next('client-typing')).toEqual({ event: 'client-typing', channel: 'presence-team', data: '{"typing":true}', user_id: 'ada' });
  });

  it.each([
    { name: 'on a public channel', channel: 'news', limits: {} },
    { name: "on a private channel when clientEvents is 'members'", channel: 'private-room', limits: { clientEvents: 'members' as const } },
    { name: 'on a private-encrypted- channel', channel: 'private-encrypted-room', limits: {} },
    { name: "on a presence channel when clientEvents is 'none'", channel: 'presence-team', limits: { clientEvents: 'none' as const } },
    { name: "on a private channel when clientEvents is 'none'", channel: 'private-room', limits: { clientEvents: 'none' as const } },
  ])('refuses client events $name with 4302 and delivers nothing', async ({ channel, limits }) => {
    const { connect } = setup(limits);
    const [a, b] = [await connect(), await connect()];
    for (const [i, client] of [a, b].entries()) {
      if (channel.startsWith('presence-')) await client.joinPresence(channel, `u${i}`);
      else await client.join(channel);
    }
    a.socket.drain();
    await a.send(typing(channel));
    await a.expectError(PUSHER_CODES.CLIENT_EVENT_REJECTED);
    b.expectNo('client-typing');
  });

  it("allows client events on presence channels when clientEvents is 'members'", async () => {
    const { connect } = setup({ clientEvents: 'members' });
    const [a, b] = [await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada');
    await b.joinPresence('presence-team', 'bob');
    await a.send(typing('presence-team'));
    expect(await b.next('client-typing')).toMatchObject({ user_id: 'ada' });
  });

  it('refuses client events on a channel the sender has not subscribed to', async () => {
    const { connect } = setup();
    const [a, b] = [await connect(), await connect()];
    await b.join('private-room');
    await a.send(typing('private-room'));
    await a.expectError(PUSHER_CODES.CLIENT_EVENT_REJECTED);
    b.expectNo('client-typing');
  });

  it('rate-limits client events: over clientEventRate per second gets 4301 and is dropped, the next second passes', async () => {
    const clock = new ManualClock();
    const { connect } = setup({ clientEventRate: 3 }, clock);
    const [a, b] = [await connect(), await connect()];
    await a.join('private-room');
    await b.join('private-room');
    for (let i = 1; i <= 4; i++) await a.send(typing('private-room', { i }));
    await a.expectError(PUSHER_CODES.CLIENT_EVENT_RATE_LIMITED);
    expect(b.socket.drain().map((f) => dataOf(f))).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);

    clock.advance(999);
    await a.send(typing('private-room', { i: 5 }));
    await a.expectError(PUSHER_CODES.CLIENT_EVENT_RATE_LIMITED);
    b.expectNo('client-typing');

    clock.advance(1);
    await a.send(typing('private-room', { i: 6 }));
    expect(dataOf(await b.next('client-typing'))).toEqual({ i: 6 });
    a.expectNo('pusher:error');
  });

  it('handles the frames of one connection in order: a client event right after its subscribe is delivered', async () => {
    const { connect } = setup();
    const [a, b] = [await connect(), await connect()];
    await b.join('private-room');
    const subscribing = a.send({ event: 'pusher:subscribe', data: { channel: 'private-room', auth: channelAuth(KEY, SECRET, a.socketId, 'private-room') } });
    const sending = a.send(typing('private-room'));
    await Promise.all([subscribing, sending]);
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'pusher_internal:subscription_succeeded' });
    expect(await b.next('client-typing')).toMatchObject({ channel: 'private-room' });
    a.expectNo('pusher:error');
  });
});

describe('user sign-in', () => {
  const userData = JSON.stringify({ id: '42', name: 'Ada' });

  it('answers a valid pusher:signin with pusher:signin_success carrying the user_data', async () => {
    const { connect } = setup();
    const a = await connect();
    await a.send({ event: 'pusher:signin', data: { auth: userAuth(KEY, SECRET, a.socketId, userData), user_data: userData } });
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'pusher:signin_success', data: { user_data: userData } });
  });

  it('lets a signed-in connection subscribe to its own #server-to-user- channel only', async () => {
    const { connect, server, app } = setup();
    const a = await connect();
    expect(await a.subscribe('#server-to-user-42')).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.UNAUTHORIZED } });
    await a.next('pusher:subscription_error', { strict: true });

    await a.send({ event: 'pusher:signin', data: { auth: userAuth(KEY, SECRET, a.socketId, userData), user_data: userData } });
    await a.next('pusher:signin_success', { strict: true });
    expect(await a.subscribe('#server-to-user-42')).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel: '#server-to-user-42' });
    expect(await a.subscribe('#server-to-user-43')).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.UNAUTHORIZED } });
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'pusher:subscription_error', channel: '#server-to-user-43' });

    await server.trigger(app, ['#server-to-user-42'], 'Notice', '{"hello":"Ada"}');
    expect(await a.next('Notice')).toEqual({ event: 'Notice', channel: '#server-to-user-42', data: '{"hello":"Ada"}' });
  });

  it.each([
    { name: 'a wrong signature', auth: (id: string) => userAuth(KEY, 'wrong', id, userData), data: userData },
    { name: 'a signature for another socket', auth: () => userAuth(KEY, SECRET, '1.1', userData), data: userData },
    { name: 'user_data without an id', auth: (id: string) => userAuth(KEY, SECRET, id, '{"name":"Ada"}'), data: '{"name":"Ada"}' },
    { name: 'user_data with a numeric id', auth: (id: string) => userAuth(KEY, SECRET, id, '{"id":42}'), data: '{"id":42}' },
    { name: 'user_data with an empty id', auth: (id: string) => userAuth(KEY, SECRET, id, '{"id":""}'), data: '{"id":""}' },
    { name: 'user_data that is not JSON', auth: (id: string) => userAuth(KEY, SECRET, id, 'ada'), data: 'ada' },
  ])('refuses pusher:signin with $name: 4009, and the connection stays signed out', async ({ auth, data }) => {
    const { connect } = setup();
    const a = await connect();
    await a.send({ event: 'pusher:signin', data: { auth: auth(a.socketId), user_data: data } });
    await a.expectError(PUSHER_CODES.UNAUTHORIZED);
    expect(a.conn.userId).toBeUndefined();
    a.expectNo('pusher:signin_success');
  });
  it('terminateUser closes every connection signed in as that user with 4009, and no other', async () => {
    const { connect, server, app } = setup();
    const [a, a2, b] = [await connect(), await connect(), await connect()];
    for (const client of [a, a2]) {
      await client.send({ event: 'pusher:signin', data: { auth: userAuth(KEY, SECRET, client.socketId, userData), user_data: userData } });
    }
    await server.terminateUser(app, '42');
    expect(a.socket.closed?.code).toBe(PUSHER_CODES.UNAUTHORIZED);
    expect(a2.socket.closed?.code).toBe(PUSHER_CODES.UNAUTHORIZED);
    expect(b.socket.closed).toBeUndefined();
  });
});

describe('cache channels', () => {
  it('answers a subscription before any event with pusher:cache_miss', async () => {
    const { connect } = setup();
    const a = await connect();
    await a.join('cache-prices');
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'pusher:cache_miss', channel: 'cache-prices' });
  });

  it('gives a new subscriber the last event at once, right after subscription_succeeded', async () => {
    const { connect, server, app } = setup();
    await server.trigger(app, ['cache-prices'], 'Price', '{"eur":1}');
    await server.trigger(app, ['cache-prices'], 'Price', '{"eur":2}');
    const a = await connect();
    await a.join('cache-prices');
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'Price', channel: 'cache-prices', data: '{"eur":2}' });
    a.expectNo('pusher:cache_miss');
  });

  it('replays on private and presence cache channels as well', async () => {
    const { connect, server, app } = setup();
    await server.trigger(app, ['private-cache-room', 'presence-cache-team'], 'Last', '{}');
    const a = await connect();
    await a.join('private-cache-room');
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'Last', channel: 'private-cache-room' });
    await a.joinPresence('presence-cache-team', 'ada');
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'Last', channel: 'presence-cache-team' });
  });

  it('forgets the cached event after cacheTtl', async () => {
    const clock = new ManualClock();
    const { connect, server, app } = setup({ cacheTtl: 60 }, clock);
    await server.trigger(app, ['cache-prices'], 'Price', '{}');
    clock.advance(60_000);
    const a = await connect();
    await a.join('cache-prices');
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'pusher:cache_miss', channel: 'cache-prices' });
  });
});

describe('subscription_count', () => {
  const countOf = (frame: SentFrame) => dataOf<{ subscription_count: number }>(frame).subscription_count;

  it('tells subscribers the new count when someone joins or leaves, if the app enables it', async () => {
    const { connect } = setup({ subscriptionCount: true });
    const [a, b] = [await connect(), await connect()];
    await a.join('news');
    expect(countOf(await a.next('pusher_internal:subscription_count', { channel: 'news' }))).toBe(1);
    await b.join('news');
    expect(countOf(await a.next('pusher_internal:subscription_count'))).toBe(2);
    expect(countOf(await b.next('pusher_internal:subscription_count'))).toBe(2);
    await b.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    expect(countOf(await a.next('pusher_internal:subscription_count'))).toBe(1);
    b.expectNo('pusher_internal:subscription_count');
    const c = await connect();
    await c.join('news');
    await c.disconnect();
    expect(countOf(await a.next('pusher_internal:subscription_count'))).toBe(2);
    expect(countOf(await a.next('pusher_internal:subscription_count'))).toBe(1);
  });

  it('sends no subscription_count when the app does not enable it, nor on presence channels', async () => {
    const off = setup();
    const a = await off.connect();
    await a.join('news');
    a.expectNo('pusher_internal:subscription_count');

    const on = setup({ subscriptionCount: true });
    const b = await on.connect();
    await b.joinPresence('presence-team', 'bob');
    b.expectNo('pusher_internal:subscription_count');
  });
});

describe('heartbeats', () => {
  it('pings after activity_timeout seconds of silence, and any frame resets the wait', async () => {
    vi.useFakeTimers();
    const { connect, server } = setup({ activityTimeout: 30 });
    server.start();
    const a = await connect();
    await vi.advanceTimersByTimeAsync(20_000);
    await a.send({ event: 'pusher:subscribe', data: { channel: 'news' } });
    a.socket.drain();
    await vi.advanceTimersByTimeAsync(29_000);
    a.expectNo('pusher:ping');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'pusher:ping', data: {} });
  });

  it('keeps a connection that answers the ping with pusher:pong', async () => {
    vi.useFakeTimers();
    const { connect, server } = setup({ activityTimeout: 10 });
    server.start();
    const a = await connect();
    await vi.advanceTimersByTimeAsync(10_000);
    await a.next('pusher:ping', { strict: true });
    await a.send({ event: 'pusher:pong', data: {} });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(a.socket.closed).toBeUndefined();
    a.expectNo('pusher:ping');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(a.socket.closed).toBeUndefined();
  });

  it('closes with 4201 when the ping is not answered within 30 seconds, and forgets the connection', async () => {
    vi.useFakeTimers();
    const { connect, server } = setup({ activityTimeout: 30 });
    server.start();
    const a = await connect();
    await a.joinPresence('presence-team', 'ada');
    const b = await connect();
    await b.joinPresence('presence-team', 'bob');
    await vi.advanceTimersByTimeAsync(25_000);
    await b.expectPong();
    await vi.advanceTimersByTimeAsync(5_000);
    await a.next('pusher:ping');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(a.socket.closed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.socket.closed?.code).toBe(PUSHER_CODES.PONG_NOT_RECEIVED);
    expect(dataOf(await b.next('pusher_internal:member_removed'))).toEqual({ user_id: 'ada' });
    expect(server.connectionCount()).toBe(1);
  });

  it('closes every connection with 4200 when the server stops, so clients reconnect', async () => {
    const { connect, server } = setup();
    const a = await connect();
    await server.stop();
    expect((await a.socket.waitForClose()).code).toBe(PUSHER_CODES.RECONNECT);
    expect(server.connectionCount()).toBe(0);
  });
});

describe('malformed frames', () => {
  const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const cases: { name: string; frame: string | ((app: RealtimeApp) => string); code: number }[] = [
    { name: 'text that is not JSON', frame: 'hello', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'truncated JSON', frame: '{"event":"pusher:ping"', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an empty frame', frame: '', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a JSON array', frame: '[{"event":"pusher:ping"}]', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a JSON number', frame: '42', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'JSON null', frame: 'null', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a JSON string', frame: '"pusher:ping"', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an object without event', frame: '{}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an event that is not a string', frame: '{"event":5}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an event that is an object', frame: '{"event":{"toString":"x"}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe without data', frame: '{"event":"pusher:subscribe"}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe without channel', frame: '{"event":"pusher:subscribe","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe whose channel is a number', frame: '{"event":"pusher:subscribe","data":{"channel":5}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe whose data is a non-JSON string', frame: '{"event":"pusher:subscribe","data":"news"}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe with an invalid channel name', frame: '{"event":"pusher:subscribe","data":{"channel":"bad channel!"}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe with an empty channel name', frame: '{"event":"pusher:subscribe","data":{"channel":""}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe with a 200-character channel name', frame: JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'a'.repeat(200) } }), code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an unsubscribe without channel', frame: '{"event":"pusher:unsubscribe","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an unknown pusher:foo event', frame: '{"event":"pusher:foo","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an unknown pusher_internal: event', frame: '{"event":"pusher_internal:member_added","channel":"presence-x","data":"{}"}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an event without the client- prefix', frame: '{"event":"typing","channel":"private-room","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a client event without channel', frame: '{"event":"client-typing","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a signin without fields', frame: '{"event":"pusher:signin","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a signin whose user_data is an object', frame: '{"event":"pusher:signin","data":{"auth":"k:s","user_data":{"id":"1"}}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a 1 MB string', frame: 'x'.repeat(1024 * 1024), code: PUSHER_CODES.MESSAGE_TOO_LARGE },
    { name: 'deeply nested arrays', frame: deepArray(4_000), code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'deeply nested objects', frame: deepObject(1_500), code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'deeply nested data in a subscribe', frame: `{"event":"pusher:subscribe","data":${deepObject(1_000)}}`, code: PUSHER_CODES.INVALID_MESSAGE },
    {
      name: 'a valid frame one byte over app.maxMessageSize',
      frame: (app) => {
        const bare = JSON.stringify({ event: 'pusher:ping', data: '' });
        return JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(app.maxMessageSize - bare.length + 1) });
      },
      code: PUSHER_CODES.MESSAGE_TOO_LARGE,
    },
    {
      name: 'multi-byte text over app.maxMessageSize in bytes though not in characters',
      frame: (app) => JSON.stringify({ event: 'pusher:ping', data: 'é'.repeat(Math.ceil(app.maxMessageSize / 2)) }),
      code: PUSHER_CODES.MESSAGE_TOO_LARGE,
    },
  ];

  it.each(cases)('answers $name with pusher:error $code, and the connection still works', async ({ frame, code }) => {
    const { connect, app } = setup();
    const a = await connect();
    await expect(a.send(typeof frame === 'function' ? frame(app) : frame)).resolves.toBeUndefined();
    const error = await a.expectError(code);
    expect(typeof (error.data as { message: unknown }).message).toBe('string');
    expect(a.socket.closed).toBeUndefined();
    await a.expectPong();
    await a.join('news');
  });

  it('accepts a frame of exactly app.maxMessageSize bytes', async () => {
    const { connect, app } = setup();
    const a = await connect();
    const bare = JSON.stringify({ event: 'pusher:ping', data: '' });
    await a.send(JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(app.maxMessageSize - bare.length) }));
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'pusher:pong', data: {} });
  });

  it('survives nesting far deeper than any parser stack when the size limit allows it', async () => {
    const { connect } = setup({ maxMessageSize: 1_000_000 });
    const a = await connect();
    await expect(a.send(`{"event":"pusher:subscribe","data":${deepArray(400_000)}}`)).resolves.toBeUndefined();
    await a.expectError(PUSHER_CODES.INVALID_MESSAGE);
    await a.expectPong();
  });

  it('survives a burst of garbage and keeps the order of the frames that follow', async () => {
    const { connect } = setup();
    const a = await connect();
    const garbage = cases.map((c) => (typeof c.frame === 'string' ? c.frame : 'x'));
    await Promise.all([...garbage.map((g) => a.send(g)), a.send({ event: 'pusher:ping' })]);
    const frames = a.socket.drain();
    expect(frames).toHaveLength(garbage.length + 1);
    expect(frames.slice(0, -1).every((f) => f.event === 'pusher:error')).toBe(true);
    expect(frames.at(-1)).toEqual({ event: 'pusher:pong', data: {} });
  });
});
