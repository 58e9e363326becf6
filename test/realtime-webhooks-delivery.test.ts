import { describe, expect, it } from 'vitest';
import { hmacHex } from '../src/realtime/protocol/signatures.js';
import { KEY, SECRET, usePusherApiParley } from './support/pusher-api-parley.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('webhooks from a running Parley', () => {
  let receiver: WebhookReceiver;
  const s = usePusherApiParley({
    env: async () => {
      receiver = new WebhookReceiver();
      return { REVERB_WEBHOOK_URL: await receiver.start() };
    },
    beforeClose: () => receiver.close(),
  });
  const { presenceClient } = s;

  it('signs each webhook with the app secret, as the pusher SDK checks it', async () => {
    const client = await s.clients.connect();
    await client.subscribe('news');

    const webhook = await receiver.webhook('a webhook', () => true);

    expect(webhook.headers['content-type']).toBe('application/json');
    expect(webhook.headers['x-pusher-key']).toBe(KEY);
    expect(webhook.headers['x-pusher-signature']).toBe(hmacHex(SECRET, webhook.body));
    expect(s.sdk.webhook({ headers: webhook.headers as Record<string, string>, rawBody: webhook.body }).isValid()).toBe(true);
    expect(JSON.parse(webhook.body)).toEqual({ time_ms: expect.any(Number) as unknown, events: [{ name: 'channel_occupied', channel: 'news' }] });
  });

  it('reports channel_occupied and channel_vacated', async () => {
    const client = await s.clients.connect();
    await client.subscribe('news');
    await receiver.event({ name: 'channel_occupied', channel: 'news' });

    client.pusher.unsubscribe('news');

    expect(await receiver.event({ name: 'channel_vacated' })).toEqual({ name: 'channel_vacated', channel: 'news' });
  });

  it('reports member_added and member_removed with the user id', async () => {
    const alice = await presenceClient('alice');
    await alice.subscribe('presence-room');

    expect(await receiver.event({ name: 'member_added' })).toEqual({ name: 'member_added', channel: 'presence-room', user_id: 'alice' });
    alice.pusher.unsubscribe('presence-room');
    expect(await receiver.event({ name: 'member_removed' })).toEqual({ name: 'member_removed', channel: 'presence-room', user_id: 'alice' });
  });

  it('reports client events with the sender and its user id', async () => {
    const alice = await presenceClient('alice');
    const channel = await alice.subscribe('presence-room');

    channel.trigger('client-typing', { typing: true });

    expect(await receiver.event({ name: 'client_event' })).toEqual({
      name: 'client_event',
      channel: 'presence-room',
      event: 'client-typing',
      data: '{"typing":true}',
      socket_id: alice.socketId,
      user_id: 'alice',
    });
  });

  it('reports cache_miss when a cache channel has nothing cached', async () => {
    const client = await s.clients.connect();
    await client.subscribe('cache-prices');

    expect(await receiver.event({ name: 'cache_miss' })).toEqual({ name: 'cache_miss', channel: 'cache-prices' });
  });

  it('batches events that happen together into one webhook', async () => {
    const client = await s.clients.connect();
    await Promise.all(['one', 'two', 'three'].map((name) => client.subscribe(name)));

    const webhook = await receiver.webhook('the first webhook', () => true);

    expect(webhook.events.map((event) => event.channel).sort()).toEqual(['one', 'three', 'two']);
  });

  it('retries a webhook answered with 500, and the retry carries the same signed body', async () => {
    receiver.answer = (request) => (request === 0 ? 500 : 200);
    const client = await s.clients.connect();
    await client.subscribe('news');

    const retry = await receiver.webhook('the retry', (w) => receiver.received.indexOf(w) === 1, 5_000);

    expect(retry.body).toBe(receiver.received[0]?.body);
    expect(retry.headers['x-pusher-signature']).toBe(hmacHex(SECRET, retry.body));
  });

  it('keeps delivering to WebSocket clients while the webhook endpoint hangs', async () => {
    receiver.answer = () => 'hang';
    const client = await s.clients.connect();
    await client.subscribe('news');
    await receiver.webhook('the hanging webhook', () => true);

    const arrived = client.nextEvent('news', 'Headline', 1_000);
    await s.sdk.trigger('news', 'Headline', { title: 'still here' });
    const other = await s.clients.connect();
    await other.subscribe('sport');

    expect(await arrived).toEqual({ title: 'still here' });
  });
});
