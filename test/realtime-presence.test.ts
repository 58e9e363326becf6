import { describe, expect, it, vi } from 'vitest';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { channelAuth, userAuth } from '../src/realtime/protocol/signatures.js';
import { dataOf } from './support/memory-socket.js';
import { KEY, SECRET, setup, stopServersAfterEach } from './support/realtime-setup.js';

// Realtime protocol: presence channels and user sign-in.

stopServersAfterEach();

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

  it('reads the roster once per presence subscription, and sends that roster with the newcomer added', async () => {
    const { connect, bus } = setup();
    const [a, b] = [await connect(), await connect()];
    await a.joinPresence('presence-team', 'ada', { name: 'Ada' });
    const reads = vi.spyOn(bus, 'members');
    expect(await b.joinPresence('presence-team', 'bob', { name: 'Bob' })).toEqual({ ids: ['ada', 'bob'], hash: { ada: { name: 'Ada' }, bob: { name: 'Bob' } }, count: 2 });
    expect(reads).toHaveBeenCalledTimes(1);
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
    a.expectNo('pusher_internal:member_removed');
    expect(c.conn.channels.has('presence-team')).toBe(false);
    expect((await a2.joinPresence('presence-team', 'ada')).count).toBe(2);
  });

  it('lets exactly maxPresenceMembers users in when they subscribe at the same moment', async () => {
    const { connect, bus } = setup({ maxPresenceMembers: 2 });
    const clients = await Promise.all([1, 2, 3, 4].map(async () => connect()));
    await Promise.all(
      clients.map(async (client, i) => {
        const channelData = JSON.stringify({ user_id: `user-${i}` });
        await client.send({ event: 'pusher:subscribe', data: { channel: 'presence-team', auth: channelAuth(KEY, SECRET, client.socketId, 'presence-team', channelData), channel_data: channelData } });
      }),
    );
    const outcomes = clients.map((client) => client.socket.pending().find((frame) => /subscription_(succeeded|error)$/.test(frame.event))?.event);
    expect(outcomes.filter((event) => event === 'pusher_internal:subscription_succeeded')).toHaveLength(2);
    expect(outcomes.filter((event) => event === 'pusher:subscription_error')).toHaveLength(2);
    expect(await bus.members('app-1', 'presence-team')).toHaveLength(2);
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
