import type { Members } from 'pusher-js';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { APP, nextEvent, reachState, subscribed, userAuthenticator, waitFor } from './support/compat-clients.js';
import { ADA, BOB, useCompatServer } from './support/compat-server.js';

/**
 * The real clients against a listening Parley: pusher-js 8 (node build), and the `pusher`
 * server SDK publishing over the HTTP API.
 */
const s = useCompatServer();

describe('pusher-js 8', () => {
  it('connects: state connected with a socket_id', async () => {
    const pusher = s.pool.pusher();
    await reachState(pusher, 'connected');
    expect(pusher.connection.socket_id).toMatch(/^\d+\.\d+$/);
  });

  it('receives an event published on a public channel', async () => {
    const pusher = await s.pool.connected(s.sdk);
    const channel = await subscribed(pusher, 'compat-news');
    const received = nextEvent(channel, 'Published');
    await s.publish('compat-news', 'Published', { n: 1 });
    expect(await received).toEqual({ n: 1 });
  });

  it('subscribes to a private channel with a signed auth answer and receives its events', async () => {
    const pusher = await s.pool.connected(s.sdk);
    const channel = await subscribed(pusher, 'private-compat-room');
    const received = nextEvent(channel, 'MessageSent');
    await s.publish('private-compat-room', 'MessageSent', { message: { body: 'hi' } });
    expect(await received).toEqual({ message: { body: 'hi' } });
  });

  it("skips the client named by the SDK's socket_id (Laravel's toOthers())", async () => {
    const [sender, other] = [await s.pool.connected(s.sdk), await s.pool.connected(s.sdk)];
    const senderChannel = await subscribed(sender, 'private-compat-others');
    const otherChannel = await subscribed(other, 'private-compat-others');
    const seenBySender: unknown[] = [];
    senderChannel.bind('MessageSent', (data: unknown) => seenBySender.push(data));
    const received = nextEvent(otherChannel, 'MessageSent');
    await s.publish('private-compat-others', 'MessageSent', { seq: 1 }, sender.connection.socket_id);
    expect(await received).toEqual({ seq: 1 });
    // Later frames arrive after earlier ones on one connection: the marker proves nothing came before it.
    const marker = nextEvent(senderChannel, 'Marker');
    await s.publish('private-compat-others', 'Marker', {});
    await marker;
    expect(seenBySender).toEqual([]);
  });

  it('reports a refused private subscription as pusher:subscription_error', async () => {
    const forged = s.pool.pusher({
      channelAuthorization: { customHandler: (_params, callback) => callback(null, { auth: `${APP.key}:${'0'.repeat(64)}` }) },
    });
    await reachState(forged, 'connected');
    const errors = nextEvent<{ type: string; data: { code: number } }>(forged.connection, 'error', 'the pusher:error');
    const refused = nextEvent<{ type: string; status: number }>(forged.subscribe('private-compat-room'), 'pusher:subscription_error');
    expect(await refused).toMatchObject({ type: 'AuthError', status: 401 });
    expect((await errors).data.code).toBe(PUSHER_CODES.UNAUTHORIZED);
  });

  it('keeps a presence roster: members.count, me, and member_added / member_removed across two clients', async () => {
    const ada = await s.pool.connected(s.sdk, ADA);
    const adaChannel = await subscribed(ada, 'presence-compat-team');
    const adaMembers = (adaChannel as unknown as { members: Members }).members;
    expect(adaMembers.count).toBe(1);
    expect(adaMembers.me).toEqual({ id: '1', info: { name: 'Ada' } });

    const added = nextEvent<{ id: string; info: unknown }>(adaChannel, 'pusher:member_added');
    const bob = await s.pool.connected(s.sdk, BOB);
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
    const pusher = await s.pool.connected(s.sdk);
    const channel = await subscribed(pusher, 'private-encrypted-compat-vault');
    const raw = await rawSubscriber('private-encrypted-compat-vault');
    const received = nextEvent(channel, 'Secret');
    const relayed = raw.nextEvent('Secret');
    await s.publish('private-encrypted-compat-vault', 'Secret', { code: 'swordfish' });
    expect(await received).toEqual({ code: 'swordfish' });
    const wire = await relayed;
    raw.close();
    expect(Object.keys(JSON.parse(wire.data) as object).sort()).toEqual(['ciphertext', 'nonce']);
    expect(wire.data).not.toContain('swordfish');
  });

  it('gets pusher:cache_miss on an empty cache channel, then the last event at once', async () => {
    const first = await s.pool.connected(s.sdk);
    const missChannel = first.subscribe('cache-compat-prices');
    await nextEvent(missChannel, 'pusher:cache_miss');
    await s.publish('cache-compat-prices', 'Price', { eur: 3 });

    const late = await s.pool.connected(s.sdk);
    const lateChannel = late.subscribe('cache-compat-prices');
    expect(await nextEvent(lateChannel, 'Price')).toEqual({ eur: 3 });
  });

  it('delivers a client event to the other client only, never echoing it to the sender', async () => {
    const [ada, bob] = [await s.pool.connected(s.sdk), await s.pool.connected(s.sdk)];
    const adaChannel = await subscribed(ada, 'private-compat-chat');
    const bobChannel = await subscribed(bob, 'private-compat-chat');
    const echoed: unknown[] = [];
    adaChannel.bind('client-typing', (data: unknown) => echoed.push(data));
    const typing = nextEvent(bobChannel, 'client-typing');
    expect(adaChannel.trigger('client-typing', { typing: true, name: 'Ada' })).toBe(true);
    expect(await typing).toEqual({ typing: true, name: 'Ada' });
    // Frames of one connection arrive in order: had the sender been echoed, it would have that frame before this one.
    const marker = nextEvent(adaChannel, 'Marker');
    await s.publish('private-compat-chat', 'Marker', {});
    await marker;
    expect(echoed).toEqual([]);
  });

  it('signs in with pusher.signin() and receives events sent to that user', async () => {
    const pusher = await s.pool.connected(s.sdk, undefined, { userAuthentication: { customHandler: userAuthenticator(s.sdk, { id: '42', info: { name: 'Ada' } }) } });
    const ready = waitFor('the #server-to-user-42 subscription', (resolve) => {
      pusher.connection.bind('message', (event: { event: string; channel?: string }) => {
        if (event.event === 'pusher_internal:subscription_succeeded' && event.channel === '#server-to-user-42') resolve(undefined);
      });
    });
    pusher.signin();
    await ready;
    expect(pusher.user.user_data).toMatchObject({ id: '42', name: 'Ada' });
    const notice = nextEvent(pusher.user, 'Notice');
    const response = await s.sdk.sendToUser('42', 'Notice', { hello: 'Ada' });
    expect(response.status).toBe(200);
    expect(await notice).toEqual({ hello: 'Ada' });
  });

  it('stops for good on an unknown app key (close 4001): disconnected, no reconnection', async () => {
    const attempts = countUpgrades('/app/no-such-key');
    const pusher = s.pool.pusher({}, 'no-such-key');
    const states: string[] = [];
    pusher.connection.bind('state_change', ({ current }: { current: string }) => states.push(current));
    const error = nextEvent<{ type: string; error: { data: { code: number } } }>(pusher.connection, 'error', 'the refusal');
    await reachState(pusher, 'disconnected');
    expect((await error).error.data.code).toBe(PUSHER_CODES.APP_NOT_FOUND);
    expect(pusher.connection.socket_id).toBeUndefined();
    // A retry would be scheduled at once (4200 range) or after a second (4100 range); a full
    // connection by another client takes longer than the first, and nothing is scheduled.
    await reachState(s.pool.pusher(), 'connected');
    expect(attempts.count()).toBe(1);
    expect(states).toEqual(['disconnected']);
    const manager = pusher.connection as unknown as { retryTimer?: unknown; runner?: unknown };
    expect(manager.retryTimer ?? null).toBeNull();
    expect(manager.runner ?? null).toBeNull();
    attempts.stop();
  });

  it('reconnects at once after a server-side close with 4200, with a new socket id, and resubscribes', async () => {
    const pusher = await s.pool.connected(s.sdk);
    const channel = await subscribed(pusher, 'compat-restart');
    const before = pusher.connection.socket_id;
    const closed = waitFor<number>('the 4200 close', (resolve) => {
      pusher.connection.bind('error', (error: { error?: { data?: { code?: number } } }) => {
        if (error.error?.data?.code !== undefined) resolve(error.error.data.code);
      });
    });
    const resubscribed = nextEvent(channel, 'pusher:subscription_succeeded', 'the resubscription');
    const reconnecting = reachState(pusher, 'connecting');
    await s.realtime.restart();
    expect(await closed).toBe(PUSHER_CODES.RECONNECT);
    await reconnecting;
    await reachState(pusher, 'connected');
    expect(pusher.connection.socket_id).not.toBe(before);
    await resubscribed;
    const received = nextEvent(channel, 'AfterRestart');
    await s.publish('compat-restart', 'AfterRestart', { ok: true });
    expect(await received).toEqual({ ok: true });
  });
});

/** Counts WebSocket upgrade requests for one path on the listening server. */
function countUpgrades(path: string) {
  let count = 0;
  const onUpgrade = (request: { url?: string }) => {
    if (request.url?.split('?')[0] === path) count += 1;
  };
  s.h.app.server.on('upgrade', onUpgrade);
  return { count: () => count, stop: () => void s.h.app.server.off('upgrade', onUpgrade) };
}

/** A bare `ws` client that subscribes with a valid signature: shows exactly what the server relays. */
async function rawSubscriber(channel: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/app/${APP.key}?protocol=7&client=js&version=8.0.0`);
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
  ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: s.sdk.authorizeChannel(socketId, channel).auth } }));
  await next('pusher_internal:subscription_succeeded');
  return { nextEvent: next, close: () => ws.close() };
}
