import type { AddressInfo } from 'node:net';
import Pusher from 'pusher';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpSignature, md5Hex } from '../src/realtime/protocol/signatures.js';
import { startHarness, TEST_SECRETS, type Harness } from './support/harness.js';
import { PusherClients, waitFor, type TestClient } from './support/pusher-clients.js';

const APP_ID = TEST_SECRETS.REVERB_APP_ID;
const KEY = TEST_SECRETS.REVERB_APP_KEY;
const SECRET = TEST_SECRETS.REVERB_APP_SECRET;

let h: Harness;
let port: number;
let clients: PusherClients;
let sdk: Pusher;

beforeEach(async () => {
  h = await startHarness('sqlite');
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
  clients = new PusherClients({ port, key: KEY });
  sdk = serverSdk();
});

afterEach(async () => {
  clients.closeAll();
  await h.close();
});

function serverSdk(overrides: Partial<{ appId: string; secret: string }> = {}): Pusher {
  return new Pusher({ appId: APP_ID, key: KEY, secret: SECRET, host: '127.0.0.1', port: String(port), useTLS: false, ...overrides });
}

/** What the SDK answered: the JSON of a 2xx, or the status and JSON of its `RequestError`. */
async function answer(request: Promise<{ status: number; json(): Promise<unknown> }>): Promise<{ status: number; body: unknown }> {
  try {
    const response = await request;
    return { status: response.status, body: await response.json() };
  } catch (error) {
    const failure = error as { status?: number; body?: string };
    if (failure.status === undefined) throw error;
    return { status: failure.status, body: JSON.parse(failure.body ?? 'null') as unknown };
  }
}

/** A request signed by hand, for what the SDK will not send (stale timestamps, bad input it checks itself). */
async function signedFetch(
  method: 'GET' | 'POST',
  path: string,
  options: { body?: string; query?: Record<string, string>; timestamp?: number; secret?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const query: Record<string, string> = {
    auth_key: KEY,
    auth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...options.query,
  };
  if (options.body !== undefined) query.body_md5 = md5Hex(options.body);
  query.auth_signature = httpSignature(options.secret ?? SECRET, method, path, query);
  const response = await fetch(`http://127.0.0.1:${port}${path}?${new URLSearchParams(query)}`, {
    method,
    ...(options.body !== undefined ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** A client whose presence subscriptions are signed by the server SDK, as `userId`. */
function presenceClient(userId: string): Promise<TestClient> {
  return clients.connect({
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) =>
        callback(null, sdk.authorizeChannel(socketId, channelName, { user_id: userId, user_info: { name: `User ${userId}` } })),
    },
  });
}

describe('Pusher HTTP API: events', () => {
  it('delivers an event triggered with the pusher SDK to a pusher-js client on the channel', async () => {
    const client = await clients.connect();
    await client.subscribe('news');
    const arrived = client.nextEvent('news', 'Headline');

    const result = await answer(sdk.trigger('news', 'Headline', { title: 'Parley speaks Pusher' }));

    expect(result).toEqual({ status: 200, body: {} });
    expect(await arrived).toEqual({ title: 'Parley speaks Pusher' });
  });

  it('leaves out the connection whose socket_id is given', async () => {
    const sender = await clients.connect();
    const other = await clients.connect();
    await sender.subscribe('news');
    await other.subscribe('news');

    const otherGotIt = other.nextEvent('news', 'Echoed');
    await sdk.trigger('news', 'Echoed', { n: 1 }, { socket_id: sender.socketId });
    await otherGotIt;
    // Frames reach a connection in order: once the next event is there, the first one would have been too.
    const senderGotNext = sender.nextEvent('news', 'Next');
    await sdk.trigger('news', 'Next', { n: 2 });
    await senderGotNext;

    expect(sender.received.map((event) => event.event)).toEqual(['Next']);
    expect(other.received.map((event) => event.event)).toEqual(['Echoed', 'Next']);
  });

  it('answers the counts info asks for, per channel', async () => {
    const alice = await presenceClient('alice');
    await alice.subscribe('presence-room');
    await alice.subscribe('news');

    const result = await answer(sdk.trigger(['news', 'presence-room'], 'Ping', {}, { info: 'user_count,subscription_count' }));

    expect(result).toEqual({
      status: 200,
      body: { channels: { news: { subscription_count: 1 }, 'presence-room': { user_count: 1, subscription_count: 1 } } },
    });
  });

  it('sends every event of a batch', async () => {
    const client = await clients.connect();
    await client.subscribe('news');
    await client.subscribe('sport');
    const news = client.nextEvent('news', 'Story');
    const sport = client.nextEvent('sport', 'Score');

    const result = await answer(
      sdk.triggerBatch([
        { channel: 'news', name: 'Story', data: { id: 1 } },
        { channel: 'sport', name: 'Score', data: { home: 2, away: 1 } },
      ]),
    );

    expect(result).toEqual({ status: 200, body: {} });
    expect(await news).toEqual({ id: 1 });
    expect(await sport).toEqual({ home: 2, away: 1 });
  });

  it('refuses a batch of more than 10 events with 400 naming the field', async () => {
    const batch = Array.from({ length: 11 }, (_, i) => ({ channel: 'news', name: 'Story', data: { i } }));

    const result = await answer(sdk.triggerBatch(batch));

    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error: expect.stringMatching(/^batch: .*at most 10/) as unknown });
  });

  it('checks each event of a batch, naming the one at fault', async () => {
    const body = JSON.stringify({ batch: [{ channel: 'news', name: 'Ok', data: '{}' }, { channel: 'news', name: 'Bad', data: { not: 'a string' } }] });

    const result = await signedFetch('POST', `/apps/${APP_ID}/batch_events`, { body });

    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error: expect.stringMatching(/^batch\[1\]\.data: /) as unknown });
  });

  it('refuses event data over 10 KB with 413', async () => {
    const result = await answer(sdk.trigger('news', 'Huge', 'x'.repeat(10 * 1024 + 1)));

    expect(result.status).toBe(413);
    expect(result.body).toEqual({ error: expect.stringContaining('10 KB') as unknown });
  });

  it('refuses more than 100 channels, a malformed socket_id and a missing channel with 400 naming the field', async () => {
    const path = `/apps/${APP_ID}/events`;
    const channels = Array.from({ length: 101 }, (_, i) => `c${i}`);

    const tooMany = await signedFetch('POST', path, { body: JSON.stringify({ name: 'E', data: '{}', channels }) });
    const badSocket = await signedFetch('POST', path, { body: JSON.stringify({ name: 'E', data: '{}', channel: 'news', socket_id: 'abc' }) });
    const noChannel = await signedFetch('POST', path, { body: JSON.stringify({ name: 'E', data: '{}' }) });

    expect(tooMany).toEqual({ status: 400, body: { error: expect.stringMatching(/^channels: .*at most 100/) as unknown } });
    expect(badSocket).toEqual({ status: 400, body: { error: expect.stringMatching(/^socket_id: /) as unknown } });
    expect(noChannel).toEqual({ status: 400, body: { error: expect.stringMatching(/^channels: /) as unknown } });
  });
});

describe('Pusher HTTP API: channels and users', () => {
  it('lists presence channels with their user counts', async () => {
    const alice = await presenceClient('alice');
    const bob = await presenceClient('bob');
    await alice.subscribe('presence-room');
    await bob.subscribe('presence-room');
    await bob.subscribe('presence-lobby');
    await alice.subscribe('news');

    const result = await answer(sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }));

    expect(result).toEqual({ status: 200, body: { channels: { 'presence-room': { user_count: 2 }, 'presence-lobby': { user_count: 1 } } } });
  });

  it('lists every occupied channel without a filter, and refuses user_count without the presence- filter', async () => {
    const client = await clients.connect();
    await client.subscribe('news');

    const all = await answer(sdk.get({ path: '/channels' }));
    const refused = await answer(sdk.get({ path: '/channels', params: { info: 'user_count' } }));

    expect(all).toEqual({ status: 200, body: { channels: { news: {} } } });
    expect(refused).toEqual({ status: 400, body: { error: expect.stringMatching(/^info: .*presence/) as unknown } });
  });

  it('describes one channel: occupied, user_count and subscription_count', async () => {
    const aliceOnPhone = await presenceClient('alice');
    const aliceOnLaptop = await presenceClient('alice');
    await aliceOnPhone.subscribe('presence-room');
    await aliceOnLaptop.subscribe('presence-room');

    const room = await answer(sdk.get({ path: '/channels/presence-room', params: { info: 'user_count,subscription_count' } }));
    const empty = await answer(sdk.get({ path: '/channels/empty-channel' }));
    const wrongInfo = await answer(sdk.get({ path: '/channels/empty-channel', params: { info: 'user_count' } }));

    expect(room).toEqual({ status: 200, body: { occupied: true, user_count: 1, subscription_count: 2 } });
    expect(empty).toEqual({ status: 200, body: { occupied: false } });
    expect(wrongInfo.status).toBe(400);
  });

  it("shows a cache channel's cached event", async () => {
    await sdk.trigger('cache-prices', 'Price', { eur: 10 });

    const result = await answer(sdk.get({ path: '/channels/cache-prices' }));

    expect(result).toEqual({ status: 200, body: { occupied: false, cache: { event: 'Price', data: '{"eur":10}' } } });
  });

  it('lists the users of a presence channel, once each', async () => {
    const alice = await presenceClient('alice');
    const aliceAgain = await presenceClient('alice');
    const bob = await presenceClient('bob');
    for (const client of [alice, aliceAgain, bob]) await client.subscribe('presence-room');

    const users = await answer(sdk.get({ path: '/channels/presence-room/users' }));
    const notPresence = await answer(sdk.get({ path: '/channels/news/users' }));

    expect(users.status).toBe(200);
    expect((users.body as { users: { id: string }[] }).users.map((u) => u.id).sort()).toEqual(['alice', 'bob']);
    expect(notPresence).toEqual({ status: 400, body: { error: expect.stringContaining('presence') as unknown } });
  });

  it("terminates a signed-in user's connections and no one else's", async () => {
    const signIn = (id: string) =>
      clients.connect({
        userAuthentication: { customHandler: ({ socketId }, callback) => callback(null, sdk.authenticateUser(socketId, { id })) },
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

    const result = await answer(sdk.terminateUserConnections('u1'));
    await u1.reaches('disconnected');

    expect(result).toEqual({ status: 200, body: {} });
    expect(u2.pusher.connection.state).toBe('connected');
  });
});

describe('Pusher HTTP API: authentication and errors', () => {
  it('refuses a request signed with the wrong secret with 401', async () => {
    const result = await answer(serverSdk({ secret: 'not-the-secret' }).trigger('news', 'E', {}));

    expect(result).toEqual({ status: 401, body: { error: expect.stringContaining('signature') as unknown } });
  });

  it('refuses a stale auth_timestamp with 401', async () => {
    const stale = Math.floor(Date.now() / 1000) - 601;

    const result = await signedFetch('GET', `/apps/${APP_ID}/channels`, { timestamp: stale });

    expect(result).toEqual({ status: 401, body: { error: expect.stringContaining('auth_timestamp') as unknown } });
  });

  it('refuses a body that does not match body_md5 with 401', async () => {
    const path = `/apps/${APP_ID}/events`;
    const signedBody = JSON.stringify({ name: 'E', data: '{}', channel: 'news' });
    const query: Record<string, string> = { auth_key: KEY, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0', body_md5: md5Hex(signedBody) };
    query.auth_signature = httpSignature(SECRET, 'POST', path, query);

    const response = await fetch(`http://127.0.0.1:${port}${path}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'E', data: '{"tampered":true}', channel: 'news' }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.stringContaining('body_md5') as unknown });
  });

  it('answers 404 for an unknown app id and for an unknown endpoint', async () => {
    const unknownApp = await answer(serverSdk({ appId: '999999' }).trigger('news', 'E', {}));
    const unknownEndpoint = await signedFetch('GET', `/apps/${APP_ID}/nothing-here`);

    expect(unknownApp).toEqual({ status: 404, body: { error: expect.stringContaining('999999') as unknown } });
    expect(unknownEndpoint).toEqual({ status: 404, body: { error: expect.any(String) as unknown } });
  });

  it('refuses a request body over 256 KB with 413, before checking it', async () => {
    const body = JSON.stringify({ name: 'E', channel: 'news', data: 'x'.repeat(256 * 1024) });

    const result = await signedFetch('POST', `/apps/${APP_ID}/events`, { body });

    expect(result).toEqual({ status: 413, body: { error: expect.stringContaining('bytes') as unknown } });
  });

  it('refuses a body that is not JSON with 400', async () => {
    const result = await signedFetch('POST', `/apps/${APP_ID}/events`, { body: '{not json' });

    expect(result).toEqual({ status: 400, body: { error: expect.stringContaining('JSON') as unknown } });
  });
});
