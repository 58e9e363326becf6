import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock } from '../src/time/clock.js';
import { AppRegistry, DEFAULT_APP_LIMITS, loadAppsFile } from '../src/realtime/apps.js';
import { configuredApps } from '../src/compose/realtime-apps.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { channelAuth } from '../src/realtime/protocol/signatures.js';
import { RealtimeServer } from '../src/realtime/server/realtime-server.js';
import { clientAddressOf } from '../src/realtime/transport/client-address.js';
import { attachWebSockets, type WebSocketTransport } from '../src/realtime/transport/ws-transport.js';
import { MemoryBus } from '../src/scaling/memory-bus.js';
import { startHarness, testConfig } from './support/harness.js';
import { waitFor } from './support/pusher-clients.js';
import { KEY, SECRET, setup, stopServersAfterEach } from './support/realtime-setup.js';

// Realtime limits (docs/security.md, "Realtime limits"): each refusal is a documented code.

stopServersAfterEach();

describe('channels per connection', () => {
  it('refuses a subscription beyond max_channels_per_connection with pusher:error 4305 and subscription_error 403', async () => {
    const { connect } = setup({ maxChannelsPerConnection: 3 });
    const a = await connect();
    for (const channel of ['one', 'two', 'private-three']) await a.join(channel);
    await a.send({ event: 'pusher:subscribe', data: { channel: 'four' } });
    await a.expectError(PUSHER_CODES.TOO_MANY_CHANNELS);
    expect(await a.next(undefined, { strict: true })).toMatchObject({ event: 'pusher:subscription_error', channel: 'four', data: { status: 403 } });
    expect(a.socket.closed).toBeUndefined();
  });

  it('still accepts a channel already held, and a new one once another is left', async () => {
    const { connect } = setup({ maxChannelsPerConnection: 2 });
    const a = await connect();
    await a.join('one');
    await a.join('two');
    await a.join('two');
    await a.send({ event: 'pusher:unsubscribe', data: { channel: 'one' } });
    await a.join('three');
  });

  it('defaults to 100 channels, as Pusher documents', async () => {
    expect(DEFAULT_APP_LIMITS.maxChannelsPerConnection).toBe(100);
    const { connect } = setup();
    const a = await connect();
    for (let i = 0; i < 100; i += 1) await a.join(`c${i}`);
    await a.send({ event: 'pusher:subscribe', data: { channel: 'c100' } });
    await a.expectError(PUSHER_CODES.TOO_MANY_CHANNELS);
  });
});

describe('frame rate per connection', () => {
  it('closes a connection that sends more than max_frame_rate frames in a second with 4101', async () => {
    const clock = new ManualClock();
    const { connect } = setup({ maxFrameRate: 5 }, clock);
    const a = await connect();
    for (let i = 0; i < 5; i += 1) await a.expectPong();
    await a.send({ event: 'pusher:ping', data: {} });
    await a.expectError(PUSHER_CODES.FRAME_RATE_EXCEEDED);
    expect(a.socket.closed?.code).toBe(PUSHER_CODES.FRAME_RATE_EXCEEDED);
  });

  it('counts frames per second: the same number spread over two seconds is fine', async () => {
    const clock = new ManualClock();
    const { connect, server } = setup({ maxFrameRate: 5 }, clock);
    const a = await connect();
    for (let i = 0; i < 5; i += 1) await a.expectPong();
    clock.advance(1_000);
    for (let i = 0; i < 5; i += 1) await a.expectPong();
    expect(a.socket.closed).toBeUndefined();
    expect(server.connectionCount()).toBe(1);
  });
});

describe('pending frames per connection', () => {
  it('closes a connection with more than max_pending_frames frames waiting with 4103, and frees its slot', async () => {
    const { connect, server } = setup({ maxPendingFrames: 3 });
    const a = await connect();
    // Not awaited: all four arrive before the first is handled, as they do from one TCP read.
    const handled = [1, 2, 3, 4].map(() => server.receive(a.conn, '{"event":"pusher:ping","data":{}}'));
    await Promise.all(handled);
    expect(a.socket.closed?.code).toBe(PUSHER_CODES.FRAME_QUEUE_FULL);
    expect(a.socket.frames.some((f) => f.event === 'pusher:error' && (f.data as { code: number }).code === PUSHER_CODES.FRAME_QUEUE_FULL)).toBe(true);
    expect(server.connectionCount()).toBe(0);
  });

  it('accepts up to max_pending_frames at once', async () => {
    const { connect, server } = setup({ maxPendingFrames: 3 });
    const a = await connect();
    await Promise.all([1, 2, 3].map(() => server.receive(a.conn, '{"event":"pusher:ping","data":{}}')));
    expect(a.socket.closed).toBeUndefined();
    expect(a.socket.pendingOf('pusher:pong')).toHaveLength(3);
  });
});

describe('connections per client address', () => {
  it('refuses a connection beyond max_connections_per_ip from one address with 4102, and accepts again once one leaves', async () => {
    const { open, server } = setup({ maxConnectionsPerIp: 2 });
    const first = open({ ip: '203.0.113.7' });
    open({ ip: '203.0.113.7' });
    const over = open({ ip: '203.0.113.7' });
    expect(over.conn).toBeUndefined();
    expect(over.socket.frames[0]).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.TOO_MANY_CONNECTIONS_FROM_IP } });
    expect(over.socket.closed?.code).toBe(PUSHER_CODES.TOO_MANY_CONNECTIONS_FROM_IP);
    expect(open({ ip: '203.0.113.8' }).conn).toBeDefined();
    await server.disconnect(first.conn as NonNullable<typeof first.conn>);
    expect(open({ ip: '203.0.113.7' }).conn).toBeDefined();
  });

  describe('over real WebSockets, with the address from an injected ipOf', () => {
    let http: Server;
    let transport: WebSocketTransport;
    const sockets: WebSocket[] = [];
    afterEach(async () => {
      for (const ws of sockets.splice(0)) ws.terminate();
      await transport.close();
      http.close();
    });

    const start = async () => {
      const app = { ...DEFAULT_APP_LIMITS, id: 'app-1', key: KEY, secret: SECRET, maxConnectionsPerIp: 2 };
      const server = new RealtimeServer({ apps: new AppRegistry([app]), bus: new MemoryBus(), logger: pino({ level: 'silent' }) });
      http = createServer();
      transport = attachWebSockets(http, server, pino({ level: 'silent' }), { ipOf: (request) => String(request.headers['x-test-ip']) });
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      return (http.address() as AddressInfo).port;
    };

    /** Opens a socket claiming `ip`; answers the first frame's event and the close code, if any. */
    const connectFrom = async (port: number, ip: string): Promise<{ first: { event: string; data?: unknown }; closed: Promise<number> }> => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${KEY}?protocol=7`, { headers: { 'x-test-ip': ip } });
      sockets.push(ws);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      const first = await waitFor<{ event: string; data?: unknown }>('the first frame', (resolve) => {
        ws.once('message', (data) => resolve(JSON.parse(String(data)) as { event: string; data?: unknown }));
      });
      return { first, closed };
    };

    it('counts IPv6 clients per /64: a third address of one /64 is closed with 4102, another /64 is not', async () => {
      const port = await start();
      expect((await connectFrom(port, '2001:db8:1:2::1')).first.event).toBe('pusher:connection_established');
      expect((await connectFrom(port, '2001:db8:1:2::2')).first.event).toBe('pusher:connection_established');
      const over = await connectFrom(port, '2001:db8:1:2:ffff::9');
      expect(over.first).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.TOO_MANY_CONNECTIONS_FROM_IP } });
      expect(await over.closed).toBe(PUSHER_CODES.TOO_MANY_CONNECTIONS_FROM_IP);
      expect((await connectFrom(port, '2001:db8:1:3::1')).first.event).toBe('pusher:connection_established');
    });
  });
});

describe('default limits', () => {
  it('the REVERB_APP_* app gets a connection cap (not unlimited) and the documented defaults', () => {
    const [main] = configuredApps(testConfig());
    expect(main).toMatchObject({ maxConnections: 10_000, maxConnectionsPerIp: 100, maxChannelsPerConnection: 100, maxFrameRate: 200, maxPendingFrames: 200 });
  });

  it('the REVERB_APP_* limits are read from the environment', () => {
    const env = {
      REVERB_APP_MAX_CONNECTIONS: '50',
      REVERB_APP_MAX_CONNECTIONS_PER_IP: '5',
      REVERB_APP_MAX_CHANNELS_PER_CONNECTION: '20',
      REVERB_APP_MAX_FRAME_RATE: '30',
    };
    const [main] = configuredApps(testConfig(env));
    expect(main).toMatchObject({ maxConnections: 50, maxConnectionsPerIp: 5, maxChannelsPerConnection: 20, maxFrameRate: 30 });
  });

  it('an apps file takes each limit per app, with the same defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-apps-'));
    const file = join(dir, 'apps.json');
    const limits = { max_connections_per_ip: 3, max_channels_per_connection: 4, max_frame_rate: 5, max_pending_frames: 6 };
    writeFileSync(file, JSON.stringify({ apps: [{ id: 'a', key: 'ka', secret: 'sa' }, { id: 'b', key: 'kb', secret: 'sb', ...limits }] }));
    const [a, b] = loadAppsFile(file);
    expect(a).toMatchObject({ maxConnections: 10_000, maxConnectionsPerIp: 100, maxChannelsPerConnection: 100, maxFrameRate: 200, maxPendingFrames: 200 });
    expect(b).toMatchObject({ maxConnectionsPerIp: 3, maxChannelsPerConnection: 4, maxFrameRate: 5, maxPendingFrames: 6 });
  });

  it('an apps file with a secret under 32 characters is refused outside development, naming the app', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-apps-'));
    const file = join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ apps: [{ id: 'a', key: 'ka', secret: 'x'.repeat(32) }, { id: 'b', key: 'kb', secret: 'short' }] }));
    expect(() => loadAppsFile(file, { minSecretLength: 32 })).toThrow(/apps\.1\.secret: must be at least 32 characters/);
    expect(loadAppsFile(file)).toHaveLength(2);
  });
});

describe('server-set sender of client events', () => {
  const signedPrivate = (socketId: string, channel: string, channelData: string) => ({
    event: 'pusher:subscribe',
    data: { channel, auth: channelAuth(KEY, SECRET, socketId, channel, channelData), channel_data: channelData },
  });

  it("stamps the user_id of a private channel's signed channel_data on that connection's client events", async () => {
    const { connect } = setup();
    const visitor = await connect();
    const agent = await connect();
    await visitor.send(signedPrivate(visitor.socketId, 'private-conversation.7', JSON.stringify({ user_id: 'visitor' })));
    expect(await visitor.next(undefined, { strict: true })).toMatchObject({ event: 'pusher_internal:subscription_succeeded' });
    await agent.send(signedPrivate(agent.socketId, 'private-conversation.7', JSON.stringify({ user_id: 'agent:1' })));
    expect(await agent.next(undefined, { strict: true })).toMatchObject({ event: 'pusher_internal:subscription_succeeded' });

    await visitor.send({ event: 'client-typing', channel: 'private-conversation.7', data: { typing: true, name: 'Agent Bob' } });
    expect(await agent.next('client-typing')).toMatchObject({ user_id: 'visitor', data: JSON.stringify({ typing: true, name: 'Agent Bob' }) });
  });

  it('refuses channel_data the signature does not cover (4009), so a client cannot choose its own user_id', async () => {
    const { connect } = setup();
    const visitor = await connect();
    const auth = channelAuth(KEY, SECRET, visitor.socketId, 'private-conversation.7');
    const frame = await visitor.subscribe('private-conversation.7', auth, JSON.stringify({ user_id: 'agent:1' }));
    expect(frame).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.UNAUTHORIZED } });
  });

  it('sends no user_id for a private subscription signed without channel_data', async () => {
    const { connect } = setup();
    const a = await connect();
    const b = await connect();
    await a.join('private-room');
    await b.join('private-room');
    await a.send({ event: 'client-typing', channel: 'private-room', data: {} });
    const frame = await b.next('client-typing');
    expect(frame.user_id).toBeUndefined();
  });
});

describe('the client address of a WebSocket upgrade (TRUST_PROXY)', () => {
  const request = (remoteAddress: string, forwardedFor?: string) =>
    ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

  it.each([
    ['no trusted proxy: the TCP peer, whatever X-Forwarded-For says', false, request('127.0.0.1', '198.51.100.1'), '127.0.0.1'],
    ['a trusted loopback proxy: the address it reports', ['loopback'], request('127.0.0.1', '198.51.100.1'), '198.51.100.1'],
    ['an IPv4-mapped loopback peer is loopback too', ['loopback'], request('::ffff:127.0.0.1', '198.51.100.1'), '198.51.100.1'],
    ['an untrusted peer: itself, even with X-Forwarded-For', ['loopback'], request('203.0.113.9', '198.51.100.1'), '203.0.113.9'],
    ['the rightmost untrusted hop, not what the client prepended', ['10.0.0.0/8', 'loopback'], request('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3'), '198.51.100.1'],
    ['a trusted peer without X-Forwarded-For: the peer', ['loopback'], request('127.0.0.1'), '127.0.0.1'],
    ['an exact trusted address', ['192.0.2.10'], request('192.0.2.10', '2001:db8::5'), '2001:db8::5'],
  ] as const)('%s', (_name, trust, req, expected) => {
    expect(clientAddressOf(trust === false ? false : [...trust])(req)).toBe(expected);
  });

  it('counts each visitor behind a trusted proxy by their own address, over real WebSockets', async () => {
    const h = await startHarness('sqlite', { TRUST_PROXY: 'loopback', REVERB_APP_MAX_CONNECTIONS_PER_IP: '1' }, { broadcast: 'configured' });
    const sockets: WebSocket[] = [];
    try {
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (h.app.server.address() as AddressInfo).port;
      const firstEvent = (forwardedFor: string) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${h.config.broadcast.reverb.key}?protocol=7`, { headers: { 'x-forwarded-for': forwardedFor } });
        sockets.push(ws);
        return waitFor<{ event: string; data?: unknown }>('the first frame', (resolve) => {
          ws.once('message', (data) => resolve(JSON.parse(String(data)) as { event: string; data?: unknown }));
        });
      };
      expect((await firstEvent('198.51.100.1')).event).toBe('pusher:connection_established');
      expect((await firstEvent('198.51.100.2')).event).toBe('pusher:connection_established');
      expect(await firstEvent('198.51.100.1')).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.TOO_MANY_CONNECTIONS_FROM_IP } });
    } finally {
      for (const ws of sockets) ws.terminate();
      await h.close();
    }
  });
});
