import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/time/clock.js';
import type { RealtimeApp } from '../src/realtime/apps.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { channelAuth } from '../src/realtime/protocol/signatures.js';
import type { Connection } from '../src/realtime/server/connection.js';
import { dataOf, type SentFrame } from './support/memory-socket.js';
import { Client, KEY, SECRET, setup, stopServersAfterEach } from './support/realtime-setup.js';

// Realtime protocol: subscribing to public, private and cache channels, delivery, and subscription_count.

stopServersAfterEach();

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
