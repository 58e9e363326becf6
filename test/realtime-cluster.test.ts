import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppRegistry, DEFAULT_APP_LIMITS, type RealtimeApp } from '../src/realtime/apps.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { channelAuth } from '../src/realtime/protocol/signatures.js';
import type { ChannelEvent } from '../src/realtime/server/channel-manager.js';
import { RealtimeServer } from '../src/realtime/server/realtime-server.js';
import { RedisBus } from '../src/scaling/redis-bus.js';
import { dataOf, MemorySocket } from './support/memory-socket.js';
import { dropRedisKeys, freshRedisPrefix, redisMissing, redisTarget, redisUrlVia, TEST_REDIS_URL } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * Realtime servers of several nodes on one Redis, driven in-process with memory sockets: what a
 * client sees when another node dies or when its own node loses Redis for a while.
 */
const logger = pino({ level: 'silent' });
const app: RealtimeApp = { ...DEFAULT_APP_LIMITS, id: 'app-1', key: 'key-1', secret: 'secret-1' };

describe.skipIf(redisMissing)('realtime servers of a cluster', () => {
  const servers: RealtimeServer[] = [];
  const buses: RedisBus[] = [];
  const prefixes: string[] = [];
  const proxies: TcpProxy[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await dropRedisKeys(prefixes.splice(0));
  });

  /** A node: its bus (fast heartbeats, so a dead node is swept within a second) and its server. */
  const node = async (prefix: string, url = TEST_REDIS_URL) => {
    const bus = new RedisBus({ url, keyPrefix: prefix, logger, heartbeatMs: 100, sweepMs: 100 });
    buses.push(bus);
    if (!(await bus.ready())) throw new Error('the Redis bus did not connect');
    const events: ChannelEvent[] = [];
    const server = new RealtimeServer({ apps: new AppRegistry([app]), bus, logger, listeners: [(_appId, event) => events.push(event)] });
    servers.push(server);
    return { bus, server, events };
  };
  const prefix = (): string => {
    const p = freshRedisPrefix('cluster');
    prefixes.push(p);
    return p;
  };

  /** Connects to `server` and joins `channel` as `userId`; resolves with the socket once subscribed, and a way to hang up. */
  const member = async (server: RealtimeServer, channel: string, userId: string): Promise<MemorySocket & { hangUp(): Promise<void> }> => {
    const socket = new MemorySocket();
    const conn = server.open(socket, { appKey: app.key, protocol: '7', origin: undefined });
    if (!conn) throw new Error('connection refused');
    const channelData = JSON.stringify({ user_id: userId, user_info: { name: userId } });
    const auth = channelAuth(app.key, app.secret, conn.socketId, channel, channelData);
    await server.receive(conn, JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } }));
    await socket.next('pusher_internal:subscription_succeeded', { channel });
    return Object.assign(socket, { hangUp: () => server.disconnect(conn) });
  };

  it('tells the other nodes\' clients a dead node\'s members left, once, and reports the channel event once', async () => {
    const p = prefix();
    const [a, b, c] = [await node(p), await node(p), await node(p)];
    await member(a.server, 'presence-agents', 'ann');
    const onB = await member(b.server, 'presence-agents', 'bob');
    const onC = await member(c.server, 'presence-agents', 'cat');
    await onB.next('pusher_internal:member_added');

    a.bus.stopHeartbeat();
    const removedB = await onB.next('pusher_internal:member_removed', { timeoutMs: 5_000 });
    expect(dataOf(removedB)).toEqual({ user_id: 'ann' });
    expect(dataOf(await onC.next('pusher_internal:member_removed', { timeoutMs: 5_000 }))).toEqual({ user_id: 'ann' });
    await Promise.all([b.bus.sweep(), c.bus.sweep()]);
    const removals = [...b.events, ...c.events].filter((e) => e.name === 'member_removed');
    expect(removals).toEqual([{ name: 'member_removed', channel: 'presence-agents', user_id: 'ann' }]);
    expect(onB.pendingOf('pusher_internal:member_removed')).toEqual([]);
  });

  it('reports occupied, member_added, member_removed and vacated once for the cluster (webhooks are sent once)', async () => {
    const p = prefix();
    const [a, b] = [await node(p), await node(p)];
    const annOnA = await member(a.server, 'presence-room', 'ann');
    const annOnB = await member(b.server, 'presence-room', 'ann');
    const bobOnB = await member(b.server, 'presence-room', 'bob');
    await annOnA.next('pusher_internal:member_added');
    for (const socket of [annOnA, annOnB, bobOnB]) await socket.hangUp();

    const names = (events: ChannelEvent[]) => events.map((e) => ('user_id' in e ? `${e.name} ${e.user_id}` : e.name));
    expect([...names(a.events), ...names(b.events)].sort()).toEqual(['channel_occupied', 'channel_vacated', 'member_added ann', 'member_added bob', 'member_removed ann', 'member_removed bob']);
  });

  it('asks its clients to reconnect (4200) once Redis is back after an outage, so they catch up', async () => {
    const proxy = await TcpProxy.start(redisTarget());
    proxies.push(proxy);
    const p = prefix();
    const a = await node(p, redisUrlVia(proxy.port));
    const socket = await member(a.server, 'presence-agents', 'ann');

    await proxy.cut();
    await expect.poll(() => a.bus.connected).toBe(false);
    expect(socket.closed).toBeUndefined();
    await proxy.restore();
    await expect.poll(() => socket.closed, { timeout: 10_000 }).toEqual({ code: PUSHER_CODES.RECONNECT, reason: expect.stringContaining('catch up') });
    expect(a.server.connectionCount()).toBe(0);
  });

  it("closes (4009) every connection an agent authorised on any node when another node ends the agent's sessions, except the kept session's", async () => {
    const p = prefix();
    const [a, b] = [await node(p), await node(p)];
    const subscribed = async (channel: string) => {
      const socket = new MemorySocket();
      const conn = a.server.open(socket, { appKey: app.key, protocol: '7', origin: undefined });
      if (!conn) throw new Error('connection refused');
      await a.server.receive(conn, JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: channelAuth(app.key, app.secret, conn.socketId, channel) } }));
      await socket.next('pusher_internal:subscription_succeeded', { channel });
      return { socket, socketId: conn.socketId };
    };
    const [other, kept, stranger] = [await subscribed('private-conversation.1'), await subscribed('private-conversation.1'), await subscribed('private-conversation.1')];

    // Node b answered the agent's /broadcasting/auth for sockets held by node a.
    await b.server.authorised(app, other.socketId, '7', 'session-other');
    await b.server.authorised(app, kept.socketId, '7', 'session-kept');
    await b.server.authorised(app, stranger.socketId, '8', 'session-8');
    await b.server.terminateAuthorisedBy(app, '7', 'session-kept');

    expect(await other.socket.waitForClose()).toMatchObject({ code: PUSHER_CODES.UNAUTHORIZED });
    expect(a.server.connectionCount()).toBe(2);
    expect([kept.socket.closed, stranger.socket.closed]).toEqual([undefined, undefined]);
  });
});
