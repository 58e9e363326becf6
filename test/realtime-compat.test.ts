import type { AddressInfo } from 'node:net';
import Echo from 'laravel-echo';
import type PusherServer from 'pusher';
import type { Members } from 'pusher-js';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeNodeProbe } from '../src/main.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import {
  APP,
  channelAuthorizer,
  ClientPool,
  Pusher,
  PusherForEcho,
  nextEvent,
  reachState,
  serverSdk,
  subscribed,
  userAuthenticator,
  waitFor,
  type TestUser,
} from './support/compat-clients.js';
import { startHarness, type Harness } from './support/harness.js';

/**
 * The real clients against a listening Parley: pusher-js 8 (node build), laravel-echo 2 with
 * the `reverb` and `pusher` broadcasters, and the `pusher` server SDK publishing over the HTTP API.
 */
let h: Harness;
let port: number;
let sdk: PusherServer;
let realtime: RealtimeNodeProbe;
let pool: ClientPool;

const ADA: TestUser = { id: '1', info: { name: 'Ada' } };
const BOB: TestUser = { id: '2', info: { name: 'Bob' } };

beforeAll(async () => {
  Pusher.logToConsole = false;
  h = await startHarness('sqlite');
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
  sdk = serverSdk(port);
  if (!h.parley.realtimeNode) throw new Error('the harness runs without the embedded realtime server');
  realtime = h.parley.realtimeNode;
  pool = new ClientPool(port);
});

afterEach(() => pool.disconnectAll());

afterAll(async () => {
  await h.close();
});

/** Publishes through the Pusher HTTP API, as a Laravel app does, and checks the answer. */
async function publish(channel: string | string[], event: string, data: unknown, socketId?: string): Promise<void> {
  const response = await sdk.trigger(channel, event, data, socketId ? { socket_id: socketId } : undefined);
  expect(response.status).toBe(200);
}

describe('pusher-js 8', () => {
  it('connects: state connected with a socket_id', async () => {
    const pusher = pool.pusher();
    await reachState(pusher, 'connected');
    expect(pusher.connection.socket_id).toMatch(/^\d+\.\d+$/);
  });

  it('receives an event published on a public channel', async () => {
    const pusher = await pool.connected(sdk);
    const channel = await subscribed(pusher, 'compat-news');
    const received = nextEvent(channel, 'Published');
    await publish('compat-news', 'Published', { n: 1 });
    expect(await received).toEqual({ n: 1 });
  });

  it('subscribes to a private channel with a signed auth answer and receives its events', async () => {
    const pusher = await pool.connected(sdk);
    const channel = await subscribed(pusher, 'private-compat-room');
    const received = nextEvent(channel, 'MessageSent');
    await publish('private-compat-room', 'MessageSent', { message: { body: 'hi' } });
    expect(await received).toEqual({ message: { body: 'hi' } });
  });

  it("skips the client named by the SDK's socket_id (Laravel's toOthers())", async () => {
    const [sender, other] = [await pool.connected(sdk), await pool.connected(sdk)];
    const senderChannel = await subscribed(sender, 'private-compat-others');
    const otherChannel = await subscribed(other, 'private-compat-others');
    const seenBySender: unknown[] = [];
    senderChannel.bind('MessageSent', (data: unknown) => seenBySender.push(data));
    const received = nextEvent(otherChannel, 'MessageSent');
    await publish('private-compat-others', 'MessageSent', { seq: 1 }, sender.connection.socket_id);
    expect(await received).toEqual({ seq: 1 });
    // Later frames arrive after earlier ones on one connection: the marker proves nothing came before it.
    const marker = nextEvent(senderChannel, 'Marker');
    await publish('private-compat-others', 'Marker', {});
    await marker;
    expect(seenBySender).toEqual([]);
  });

  it('reports a refused private subscription as pusher:subscription_error', async () => {
    const forged = pool.pusher({
      channelAuthorization: { customHandler: (_params, callback) => callback(null, { auth: `${APP.key}:${'0'.repeat(64)}` }) },
    });
    await reachState(forged, 'connected');
    const errors = nextEvent<{ type: string; data: { code: number } }>(forged.connection, 'error', 'the pusher:error');
    const refused = nextEvent<{ type: string; status: number }>(forged.subscribe('private-compat-room'), 'pusher:subscription_error');
    expect(await refused).toMatchObject({ type: 'AuthError', status: 401 });
    expect((await errors).data.code).toBe(PUSHER_CODES.UNAUTHORIZED);
  });

  it('keeps a presence roster: members.count, me, and member_added / member_removed across two clients', async () => {
    const ada = await pool.connected(sdk, ADA);
    const adaChannel = await subscribed(ada, 'presence-compat-team');
    const adaMembers = (adaChannel as unknown as { members: Members }).members;
    expect(adaMembers.count).toBe(1);
    expect(adaMembers.me).toEqual({ id: '1', info: { name: 'Ada' } });

    const added = nextEvent<{ id: string; info: unknown }>(adaChannel, 'pusher:member_added');
    const bob = await pool.connected(sdk, BOB);
    const bobChannel = await subscribed(bob, 'presence-compat-team');
    expect(await added).toEqual({ id: '2', info: { name: 'Bob' } });
    expect(adaMembers.count).toBe(2);
    const bobMembers = (bobChannel as unknown as { members: Members }).members;
    expect(bobMembers.count).toBe(2);
    expect(bobMembers.get('1')).toEqual({ id: '1', info: { name: 'Ada' } });

    const removed = nextEvent<{ id: string }>(adaChannel, 'pusher:member_removed');
    bob.disconnect();
    expect((await removed).id).toBe('2');
    expect(adaMembers.count).toBe(1);
  });

  it('decrypts events on a private-encrypted channel; the server relays only ciphertext', async () => {
    const pusher = await pool.connected(sdk);
    const channel = await subscribed(pusher, 'private-encrypted-compat-vault');
    const raw = await rawSubscriber('private-encrypted-compat-vault');
    const received = nextEvent(channel, 'Secret');
    const relayed = raw.nextEvent('Secret');
    await publish('private-encrypted-compat-vault', 'Secret', { code: 'swordfish' });
    expect(await received).toEqual({ code: 'swordfish' });
    const wire = await relayed;
    raw.close();
    expect(Object.keys(JSON.parse(wire.data) as object).sort()).toEqual(['ciphertext', 'nonce']);
    expect(wire.data).not.toContain('swordfish');
  });

  it('gets pusher:cache_miss on an empty cache channel, then the last event at once', async () => {
    const first = await pool.connected(sdk);
    const missChannel = first.subscribe('cache-compat-prices');
    await nextEvent(missChannel, 'pusher:cache_miss');
    await publish('cache-compat-prices', 'Price', { eur: 3 });

    const late = await pool.connected(sdk);
    const lateChannel = late.subscribe('cache-compat-prices');
    expect(await nextEvent(lateChannel, 'Price')).toEqual({ eur: 3 });
  });

  it('delivers a client event to the other client only, never echoing it to the sender', async () => {
    const [ada, bob] = [await pool.connected(sdk), await pool.connected(sdk)];
    const adaChannel = await subscribed(ada, 'private-compat-chat');
    const bobChannel = await subscribed(bob, 'private-compat-chat');
    const echoed: unknown[] = [];
    adaChannel.bind('client-typing', (data: unknown) => echoed.push(data));
    const typing = nextEvent(bobChannel, 'client-typing');
    expect(adaChannel.trigger('client-typing', { typing: true, name: 'Ada' })).toBe(true);
    expect(await typing).toEqual({ typing: true, name: 'Ada' });
    // Frames of one connection arrive in order: had the sender been echoed, it would have that frame before this one.
    const marker = nextEvent(adaChannel, 'Marker');
    await publish('private-compat-chat', 'Marker', {});
    await marker;
    expect(echoed).toEqual([]);
  });

  it('signs in with pusher.signin() and receives events sent to that user', async () => {
    const pusher = await pool.connected(sdk, undefined, { userAuthentication: { customHandler: userAuthenticator(sdk, { id: '42', info: { name: 'Ada' } }) } });
    const ready = waitFor('the #server-to-user-42 subscription', (resolve) => {
      pusher.connection.bind('message', (event: { event: string; channel?: string }) => {
        if (event.event === 'pusher_internal:subscription_succeeded' && event.channel === '#server-to-user-42') resolve(undefined);
      });
    });
    pusher.signin();
    await ready;
    expect(pusher.user.user_data).toMatchObject({ id: '42', name: 'Ada' });
    const notice = nextEvent(pusher.user, 'Notice');
    const response = await sdk.sendToUser('42', 'Notice', { hello: 'Ada' });
    expect(response.status).toBe(200);
    expect(await notice).toEqual({ hello: 'Ada' });
  });

  it('stops for good on an unknown app key (close 4001): disconnected, no reconnection', async () => {
    const attempts = countUpgrades('/app/no-such-key');
    const pusher = pool.pusher({}, 'no-such-key');
    const states: string[] = [];
    pusher.connection.bind('state_change', ({ current }: { current: string }) => states.push(current));
    const error = nextEvent<{ type: string; error: { data: { code: number } } }>(pusher.connection, 'error', 'the refusal');
    await reachState(pusher, 'disconnected');
    expect((await error).error.data.code).toBe(PUSHER_CODES.APP_NOT_FOUND);
    expect(pusher.connection.socket_id).toBeUndefined();
    // A retry would be scheduled at once (4200 range) or after a second (4100 range); a full
    // connection by another client takes longer than the first, and nothing is scheduled.
    await reachState(pool.pusher(), 'connected');
    expect(attempts.count()).toBe(1);
    expect(states).toEqual(['disconnected']);
    const manager = pusher.connection as unknown as { retryTimer?: unknown; runner?: unknown };
    expect(manager.retryTimer ?? null).toBeNull();
    expect(manager.runner ?? null).toBeNull();
    attempts.stop();
  });

  it('reconnects at once after a server-side close with 4200, with a new socket id, and resubscribes', async () => {
    const pusher = await pool.connected(sdk);
    const channel = await subscribed(pusher, 'compat-restart');
    const before = pusher.connection.socket_id;
    const closed = waitFor<number>('the 4200 close', (resolve) => {
      pusher.connection.bind('error', (error: { error?: { data?: { code?: number } } }) => {
        if (error.error?.data?.code !== undefined) resolve(error.error.data.code);
      });
    });
    const resubscribed = nextEvent(channel, 'pusher:subscription_succeeded', 'the resubscription');
    const reconnecting = reachState(pusher, 'connecting');
    await realtime.restart();
    expect(await closed).toBe(PUSHER_CODES.RECONNECT);
    await reconnecting;
    await reachState(pusher, 'connected');
    expect(pusher.connection.socket_id).not.toBe(before);
    await resubscribed;
    const received = nextEvent(channel, 'AfterRestart');
    await publish('compat-restart', 'AfterRestart', { ok: true });
    expect(await received).toEqual({ ok: true });
  });
});

describe('laravel-echo 2', () => {
  type Broadcaster = 'reverb' | 'pusher';

  /** An Echo instance as a Laravel app's bootstrap file creates it, signing subscriptions for `user`. */
  function echo(broadcaster: Broadcaster, user?: TestUser) {
    const customHandler = channelAuthorizer(sdk, user);
    const common = { key: APP.key, wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws' as const], Pusher: PusherForEcho };
    const instance =
      broadcaster === 'reverb'
        ? // The classic `authorizer` option many Laravel apps still use.
          new Echo<'reverb'>({
            broadcaster: 'reverb',
            ...common,
            authorizer: (channel: { name: string }) => ({
              authorize: (socketId: string, callback: Parameters<typeof customHandler>[1]) => customHandler({ socketId, channelName: channel.name }, callback),
            }),
          })
        : new Echo<'pusher'>({ broadcaster: 'pusher', cluster: 'mt1', ...common, channelAuthorization: { customHandler } });
    return pool.track(instance);
  }

  function subscribedVia(channel: { subscribed(callback: CallableFunction): unknown; error(callback: CallableFunction): unknown }, label: string) {
    return waitFor(label, (resolve, reject) => {
      channel.subscribed(() => resolve(undefined));
      channel.error((error: unknown) => reject(new Error(`${label} refused: ${JSON.stringify(error)}`)));
    });
  }

  it.each<Broadcaster>(['reverb', 'pusher'])('%s: .channel().listen(".Evt") receives an un-namespaced event', async (broadcaster) => {
    const e = echo(broadcaster);
    const channel = e.channel('compat-status');
    const received = waitFor('AvailabilityChanged', (resolve) => channel.listen('.AvailabilityChanged', resolve));
    await subscribedVia(channel, 'compat-status');
    await publish('compat-status', 'AvailabilityChanged', { agents_online: 2 });
    expect(await received).toEqual({ agents_online: 2 });
  });

  it.each<Broadcaster>(['reverb', 'pusher'])('%s: .private().listen(".MessageSent") receives events on a signed private channel', async (broadcaster) => {
    const e = echo(broadcaster);
    const channel = e.private('compat-conversation.7');
    const received = waitFor('MessageSent', (resolve) => channel.listen('.MessageSent', resolve));
    await subscribedVia(channel, 'private-compat-conversation.7');
    await publish('private-compat-conversation.7', 'MessageSent', { message: { seq: 1, body: 'hello' } });
    expect(await received).toEqual({ message: { seq: 1, body: 'hello' } });
  });

  it.each<Broadcaster>(['reverb', 'pusher'])('%s: .join() reports here(), joining() and leaving()', async (broadcaster) => {
    const ada = echo(broadcaster, ADA);
    const here = waitFor<unknown[]>('here()', (resolve) => ada.join('compat-agents').here(resolve));
    expect(await here).toEqual([{ name: 'Ada' }]);
    const joining = waitFor('joining()', (resolve) => ada.join('compat-agents').joining(resolve));
    const leaving = waitFor('leaving()', (resolve) => ada.join('compat-agents').leaving(resolve));

    const bob = echo(broadcaster, BOB);
    const bobHere = waitFor<unknown[]>('here() for the second user', (resolve) => bob.join('compat-agents').here(resolve));
    expect(await joining).toEqual({ name: 'Bob' });
    expect(await bobHere).toEqual(expect.arrayContaining([{ name: 'Ada' }, { name: 'Bob' }]));
    bob.disconnect();
    expect(await leaving).toEqual({ name: 'Bob' });
  });

  it.each<Broadcaster>(['reverb', 'pusher'])('%s: .whisper("typing") reaches the other client through .listenForWhisper("typing")', async (broadcaster) => {
    const [ada, bob] = [echo(broadcaster), echo(broadcaster)];
    const adaChannel = ada.private('compat-conversation.8');
    const bobChannel = bob.private('compat-conversation.8');
    const typing = waitFor('the whisper', (resolve) => bobChannel.listenForWhisper('typing', resolve));
    await subscribedVia(adaChannel, 'the sender subscription');
    await subscribedVia(bobChannel, 'the receiver subscription');
    adaChannel.whisper('typing', { typing: true, name: 'Ada' });
    expect(await typing).toEqual({ typing: true, name: 'Ada' });
  });

  it('reverb: .encryptedPrivate() decrypts what the SDK encrypts', async () => {
    const e = pool.track(
      new Echo<'reverb'>({
        broadcaster: 'reverb',
        key: APP.key,
        wsHost: '127.0.0.1',
        wsPort: port,
        forceTLS: false,
        enabledTransports: ['ws'],
        Pusher: PusherForEcho,
        channelAuthorization: { customHandler: channelAuthorizer(sdk) },
      }),
    );
    const channel = e.encryptedPrivate('compat-vault');
    const received = waitFor('the decrypted event', (resolve) => channel.listen('.Secret', resolve));
    await subscribedVia(channel, 'private-encrypted-compat-vault');
    await publish('private-encrypted-compat-vault', 'Secret', { pin: 1234 });
    expect(await received).toEqual({ pin: 1234 });
  });
});

/** Counts WebSocket upgrade requests for one path on the listening server. */
function countUpgrades(path: string) {
  let count = 0;
  const onUpgrade = (request: { url?: string }) => {
    if (request.url?.split('?')[0] === path) count += 1;
  };
  h.app.server.on('upgrade', onUpgrade);
  return { count: () => count, stop: () => void h.app.server.off('upgrade', onUpgrade) };
}

/** A bare `ws` client that subscribes with a valid signature: shows exactly what the server relays. */
async function rawSubscriber(channel: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7&client=js&version=8.0.0`);
  const frames: { event: string; channel?: string; data: string }[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (text: Buffer) => {
    frames.push(JSON.parse(text.toString()) as { event: string; channel?: string; data: string });
    for (const wake of waiters.splice(0)) wake();
  });
  const next = (event: string) =>
    waitFor<{ event: string; channel?: string; data: string }>(`${event} on the raw socket`, (resolve) => {
      const look = () => {
        const index = frames.findIndex((f) => f.event === event);
        if (index === -1) return void waiters.push(look);
        resolve(frames.splice(index, 1)[0] as { event: string; channel?: string; data: string });
      };
      look();
    });
  const established = await next('pusher:connection_established');
  const socketId = (JSON.parse(established.data) as { socket_id: string }).socket_id;
  ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: sdk.authorizeChannel(socketId, channel).auth } }));
  await next('pusher_internal:subscription_succeeded');
  return { nextEvent: next, close: () => ws.close() };
}
