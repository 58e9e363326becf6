import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage, ChannelState, FanOut } from '../../src/scaling/bus.js';

/**
 * The behaviour every `Bus` implementation owes the realtime server: its fan-out and its channel
 * state. Each implementation (memory, Redis, the failover bus in front of Redis) runs this same
 * suite; parts that implement only one port run that port's half.
 */
export function registerBusContract(name: string, make: () => Promise<Bus>): void {
  describe(`Bus contract: ${name}`, () => {
    describe('fan-out', () => fanOutContract(make));
    describe('channel state', () => channelStateContract(make));
  });
}

/** The fan-out half of the contract, for an implementation of `FanOut` alone. */
export function registerFanOutContract(name: string, make: () => Promise<FanOut>): void {
  describe(`FanOut contract: ${name}`, () => fanOutContract(make));
}

/** The channel-state half of the contract, for an implementation of `ChannelState` alone. */
export function registerChannelStateContract(name: string, make: () => Promise<ChannelState>): void {
  describe(`ChannelState contract: ${name}`, () => channelStateContract(make));
}

function fanOutContract(make: () => Promise<FanOut>): void {
  let bus: FanOut;
  const received: BusMessage[] = [];

  beforeEach(async () => {
    received.length = 0;
    bus = await make();
    bus.onMessage((m) => received.push(m));
  });
  afterEach(async () => {
    await bus.close();
  });

  it('delivers a published message to this node too, exactly once', async () => {
    const message: BusMessage = { type: 'channel', appId: 'a', channel: 'c', frame: '{"event":"x"}', except: '1.1' };
    await bus.publish(message);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toEqual(message);
  });

  it('delivers authorisation tags and terminations by authoriser intact and in publish order', async () => {
    const sent: BusMessage[] = [
      { type: 'authorised', appId: 'a', socketId: '1.1', by: '7', session: 's1' },
      { type: 'terminate_authorised', appId: 'a', by: '7', exceptSession: 's1' },
      { type: 'terminate_authorised', appId: 'a', by: '7' },
    ];
    for (const message of sent) await bus.publish(message);
    await expect.poll(() => received.length).toBe(3);
    expect(received).toEqual(sent);
  });
}

function channelStateContract(make: () => Promise<ChannelState>): void {
  let bus: ChannelState;

  beforeEach(async () => {
    bus = await make();
  });
  afterEach(async () => {
    await bus.close();
  });

  it('flags the first join and the last leave of a channel, and counts subscriptions', async () => {
    expect(await bus.join('a', 'c', '1.1')).toEqual({ count: 1, first: true });
    expect(await bus.join('a', 'c', '2.2')).toEqual({ count: 2, first: false });
    expect(await bus.subscriptionCount('a', 'c')).toBe(2);
    expect(await bus.leave('a', 'c', '1.1')).toEqual({ count: 1, last: false });
    expect(await bus.leave('a', 'c', '2.2')).toEqual({ count: 0, last: true });
    expect(await bus.subscriptionCount('a', 'c')).toBe(0);
  });

  it('ignores a leave of a socket that never joined', async () => {
    await bus.join('a', 'c', '1.1');
    expect(await bus.leave('a', 'c', '9.9')).toEqual({ count: 1, last: false });
  });

  it('lists occupied channels per app with their counts', async () => {
    await bus.join('a', 'one', '1.1');
    await bus.join('a', 'two', '1.1');
    await bus.join('a', 'two', '2.2');
    await bus.join('b', 'one', '3.3');
    expect(Object.fromEntries(await bus.channels('a'))).toEqual({ one: 1, two: 2 });
    await bus.leave('a', 'one', '1.1');
    expect(Object.fromEntries(await bus.channels('a'))).toEqual({ two: 2 });
  });

  it('keeps one presence entry per user, with first and last connection flags', async () => {
    expect(await bus.addMember('a', 'presence-x', '1.1', { user_id: 'u1', user_info: { name: 'Ann' } })).toEqual({ firstForUser: true });
    expect(await bus.addMember('a', 'presence-x', '2.2', { user_id: 'u1', user_info: { name: 'Ann' } })).toEqual({ firstForUser: false });
    expect(await bus.addMember('a', 'presence-x', '3.3', { user_id: 'u2' })).toEqual({ firstForUser: true });
    const members = await bus.members('a', 'presence-x');
    expect(members.map((m) => m.user_id).sort()).toEqual(['u1', 'u2']);
    expect(members.find((m) => m.user_id === 'u1')?.user_info).toEqual({ name: 'Ann' });

    expect(await bus.removeMember('a', 'presence-x', '1.1')).toEqual({ member: { user_id: 'u1', user_info: { name: 'Ann' } }, lastForUser: false });
    expect(await bus.removeMember('a', 'presence-x', '2.2')).toMatchObject({ lastForUser: true });
    expect((await bus.members('a', 'presence-x')).map((m) => m.user_id)).toEqual(['u2']);
    expect(await bus.removeMember('a', 'presence-x', '2.2')).toEqual({ member: undefined, lastForUser: false });
  });

  it('admits a new user only while the roster holds fewer than maxUsers users; a user already in always joins', async () => {
    expect(await bus.addMember('a', 'presence-room', '1.1', { user_id: 'bob' }, 2)).toEqual({ firstForUser: true });
    expect(await bus.addMember('a', 'presence-room', '2.2', { user_id: 'carol' }, 2)).toEqual({ firstForUser: true });
    expect(await bus.addMember('a', 'presence-room', '3.3', { user_id: 'alice' }, 2)).toEqual({ firstForUser: false, full: true });
    expect(await bus.addMember('a', 'presence-room', '4.4', { user_id: 'bob' }, 2)).toEqual({ firstForUser: false });
    expect((await bus.members('a', 'presence-room')).map((m) => m.user_id).sort()).toEqual(['bob', 'carol']);
    expect(await bus.removeMember('a', 'presence-room', '3.3')).toEqual({ member: undefined, lastForUser: false });
  });

  it('lets exactly maxUsers of many simultaneous new users into a roster', async () => {
    const answers = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map(async (user, i) => bus.addMember('a', 'presence-rush', `${i}.1`, { user_id: user }, 2)));
    expect(answers.filter((answer) => answer.full)).toHaveLength(3);
    expect(await bus.members('a', 'presence-rush')).toHaveLength(2);
  });

  it('keeps rosters apart per app and channel', async () => {
    await bus.addMember('a', 'presence-x', '1.1', { user_id: 'u1' });
    await bus.addMember('b', 'presence-x', '2.2', { user_id: 'u2' });
    await bus.addMember('a', 'presence-y', '3.3', { user_id: 'u3' });
    expect((await bus.members('a', 'presence-x')).map((m) => m.user_id)).toEqual(['u1']);
    expect((await bus.members('b', 'presence-x')).map((m) => m.user_id)).toEqual(['u2']);
  });

  it('remembers the last event of a cache channel until its time to live ends', async () => {
    expect(await bus.getCache('a', 'cache-c')).toBeUndefined();
    await bus.setCache('a', 'cache-c', { event: 'e1', data: '1' }, 60);
    await bus.setCache('a', 'cache-c', { event: 'e2', data: '2' }, 60);
    expect(await bus.getCache('a', 'cache-c')).toEqual({ event: 'e2', data: '2' });
    expect(await bus.getCache('b', 'cache-c')).toBeUndefined();
  });
}
