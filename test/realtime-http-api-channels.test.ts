import { describe, expect, it } from 'vitest';
import { answer, usePusherApiParley } from './support/pusher-api-parley.js';
import { waitFor } from './support/pusher-clients.js';

const s = usePusherApiParley();
/** A client whose presence subscriptions are signed by the server SDK, as `userId`. */
const presenceClient = (userId: string) => s.presenceClient(userId, { name: `User ${userId}` });

describe('Pusher HTTP API: channels and users', () => {
  it('lists presence channels with their user counts', async () => {
    const alice = await presenceClient('alice');
    const bob = await presenceClient('bob');
    await alice.subscribe('presence-room');
    await bob.subscribe('presence-room');
    await bob.subscribe('presence-lobby');
    await alice.subscribe('news');

    const result = await answer(s.sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }));

    expect(result).toEqual({ status: 200, body: { channels: { 'presence-room': { user_count: 2 }, 'presence-lobby': { user_count: 1 } } } });
  });

  it('lists every occupied channel without a filter, and refuses user_count without the presence- filter', async () => {
    const client = await s.clients.connect();
    await client.subscribe('news');

    const all = await answer(s.sdk.get({ path: '/channels' }));
    const refused = await answer(s.sdk.get({ path: '/channels', params: { info: 'user_count' } }));

    expect(all).toEqual({ status: 200, body: { channels: { news: {} } } });
    expect(refused).toEqual({ status: 400, body: { error: expect.stringMatching(/^info: .*presence/) as unknown } });
  });

  it('describes one channel: occupied, user_count and subscription_count', async () => {
    const aliceOnPhone = await presenceClient('alice');
    const aliceOnLaptop = await presenceClient('alice');
    await aliceOnPhone.subscribe('presence-room');
    await aliceOnLaptop.subscribe('presence-room');

    const room = await answer(s.sdk.get({ path: '/channels/presence-room', params: { info: 'user_count,subscription_count' } }));
    const empty = await answer(s.sdk.get({ path: '/channels/empty-channel' }));
    const wrongInfo = await answer(s.sdk.get({ path: '/channels/empty-channel', params: { info: 'user_count' } }));

    expect(room).toEqual({ status: 200, body: { occupied: true, user_count: 1, subscription_count: 2 } });
    expect(empty).toEqual({ status: 200, body: { occupied: false } });
    expect(wrongInfo.status).toBe(400);
  });

  it("shows a cache channel's cached event", async () => {
    await s.sdk.trigger('cache-prices', 'Price', { eur: 10 });

    const result = await answer(s.sdk.get({ path: '/channels/cache-prices' }));

    expect(result).toEqual({ status: 200, body: { occupied: false, cache: { event: 'Price', data: '{"eur":10}' } } });
  });

  it('lists the users of a presence channel, once each', async () => {
    const alice = await presenceClient('alice');
    const aliceAgain = await presenceClient('alice');
    const bob = await presenceClient('bob');
    for (const client of [alice, aliceAgain, bob]) await client.subscribe('presence-room');

    const users = await answer(s.sdk.get({ path: '/channels/presence-room/users' }));
    const notPresence = await answer(s.sdk.get({ path: '/channels/news/users' }));

    expect(users.status).toBe(200);
    expect((users.body as { users: { id: string }[] }).users.map((u) => u.id).sort()).toEqual(['alice', 'bob']);
    expect(notPresence).toEqual({ status: 400, body: { error: expect.stringContaining('presence') as unknown } });
  });

  it("terminates a signed-in user's connections and no one else's", async () => {
    const signIn = (id: string) =>
      s.clients.connect({
        userAuthentication: { customHandler: ({ socketId }, callback) => callback(null, s.sdk.authenticateUser(socketId, { id })) },
      });
    const u1 = await signIn('u1');
    const u2 = await signIn('u2');
    for (const client of [u1, u2]) {
      await waitFor(`sign-in of ${client.socketId}`, (resolve) => {
        client.pusher.bind('pusher:signin_success', resolve);
        client.pusher.signin();
        return () => client.pusher.unbind('pusher:signin_success', resolve);
      });
    }

    const result = await answer(s.sdk.terminateUserConnections('u1'));
    await u1.reaches('disconnected');

    expect(result).toEqual({ status: 200, body: {} });
    expect(u2.pusher.connection.state).toBe('connected');
  });
});
