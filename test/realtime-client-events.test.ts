import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/time/clock.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { channelAuth } from '../src/realtime/protocol/signatures.js';
import { dataOf } from './support/memory-socket.js';
import { KEY, SECRET, setup, stopServersAfterEach } from './support/realtime-setup.js';

// Realtime protocol: client events.

stopServersAfterEach();

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
