import { describe, expect, it, vi } from 'vitest';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { dataOf } from './support/memory-socket.js';
import { setup, stopServersAfterEach } from './support/realtime-setup.js';

// Realtime protocol: the handshake and its refusals, ping and pong, and server heartbeats.

stopServersAfterEach();

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
