import Echo from 'laravel-echo';
import { describe, expect, it } from 'vitest';
import { APP, channelAuthorizer, PusherForEcho, waitFor, type TestUser } from './support/compat-clients.js';
import { ADA, BOB, useCompatServer } from './support/compat-server.js';

/**
 * The real clients against a listening Parley: laravel-echo 2 with the `reverb` and `pusher`
 * broadcasters publishing over the HTTP API.
 */
const s = useCompatServer();

describe('laravel-echo 2', () => {
  type Broadcaster = 'reverb' | 'pusher';

  /** An Echo instance as a Laravel app's bootstrap file creates it, signing subscriptions for `user`. */
  function echo(broadcaster: Broadcaster, user?: TestUser) {
    const customHandler = channelAuthorizer(s.sdk, user);
    const common = { key: APP.key, wsHost: '127.0.0.1', wsPort: s.port, forceTLS: false, enabledTransports: ['ws' as const], Pusher: PusherForEcho };
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
    return s.pool.track(instance);
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
    await s.publish('compat-status', 'AvailabilityChanged', { agents_online: 2 });
    expect(await received).toEqual({ agents_online: 2 });
  });

  it.each<Broadcaster>(['reverb', 'pusher'])('%s: .private().listen(".MessageSent") receives events on a signed private channel', async (broadcaster) => {
    const e = echo(broadcaster);
    const channel = e.private('compat-conversation.7');
    const received = waitFor('MessageSent', (resolve) => channel.listen('.MessageSent', resolve));
    await subscribedVia(channel, 'private-compat-conversation.7');
    await s.publish('private-compat-conversation.7', 'MessageSent', { message: { seq: 1, body: 'hello' } });
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
    const e = s.pool.track(
      new Echo<'reverb'>({
        broadcaster: 'reverb',
        key: APP.key,
        wsHost: '127.0.0.1',
        wsPort: s.port,
        forceTLS: false,
        enabledTransports: ['ws'],
        Pusher: PusherForEcho,
        channelAuthorization: { customHandler: channelAuthorizer(s.sdk) },
      }),
    );
    const channel = e.encryptedPrivate('compat-vault');
    const received = waitFor('the decrypted event', (resolve) => channel.listen('.Secret', resolve));
    await subscribedVia(channel, 'private-encrypted-compat-vault');
    await s.publish('private-encrypted-compat-vault', 'Secret', { pin: 1234 });
    expect(await received).toEqual({ pin: 1234 });
  });
});
