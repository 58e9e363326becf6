import { describe, expect, it } from 'vitest';
import { answer, APP_ID, usePusherApiParley } from './support/pusher-api-parley.js';

const s = usePusherApiParley();
const { signedFetch } = s;
/** A client whose presence subscriptions are signed by the server SDK, as `userId`. */
const presenceClient = (userId: string) => s.presenceClient(userId, { name: `User ${userId}` });

describe('Pusher HTTP API: events', () => {
  it('delivers an event triggered with the pusher SDK to a pusher-js client on the channel', async () => {
    const client = await s.clients.connect();
    await client.subscribe('news');
    const arrived = client.nextEvent('news', 'Headline');

    const result = await answer(s.sdk.trigger('news', 'Headline', { title: 'Parley speaks Pusher' }));

    expect(result).toEqual({ status: 200, body: {} });
    expect(await arrived).toEqual({ title: 'Parley speaks Pusher' });
  });

  it('leaves out the connection whose socket_id is given', async () => {
    const sender = await s.clients.connect();
    const other = await s.clients.connect();
    await sender.subscribe('news');
    await other.subscribe('news');

    const otherGotIt = other.nextEvent('news', 'Echoed');
    await s.sdk.trigger('news', 'Echoed', { n: 1 }, { socket_id: sender.socketId });
    await otherGotIt;
    // Frames reach a connection in order: once the next event is there, the first one would have been too.
    const senderGotNext = sender.nextEvent('news', 'Next');
    await s.sdk.trigger('news', 'Next', { n: 2 });
    await senderGotNext;

    expect(sender.received.map((event) => event.event)).toEqual(['Next']);
    expect(other.received.map((event) => event.event)).toEqual(['Echoed', 'Next']);
  });

  it('answers the counts info asks for, per channel', async () => {
    const alice = await presenceClient('alice');
    await alice.subscribe('presence-room');
    await alice.subscribe('news');

    const result = await answer(s.sdk.trigger(['news', 'presence-room'], 'Ping', {}, { info: 'user_count,subscription_count' }));

    expect(result).toEqual({
      status: 200,
      body: { channels: { news: { subscription_count: 1 }, 'presence-room': { user_count: 1, subscription_count: 1 } } },
    });
  });

  it('sends every event of a batch', async () => {
    const client = await s.clients.connect();
    await client.subscribe('news');
    await client.subscribe('sport');
    const news = client.nextEvent('news', 'Story');
    const sport = client.nextEvent('sport', 'Score');

    const result = await answer(
      s.sdk.triggerBatch([
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

    const result = await answer(s.sdk.triggerBatch(batch));

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
    const result = await answer(s.sdk.trigger('news', 'Huge', 'x'.repeat(10 * 1024 + 1)));

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
