import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import Pusher from 'pusher';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_APP_LIMITS, type RealtimeApp } from '../src/realtime/apps.js';
import { WebhookDispatcher, type Timers, type WebhookEvent } from '../src/realtime/http-api/webhooks.js';
import { hmacHex } from '../src/realtime/protocol/signatures.js';
import { startHarness, TEST_SECRETS, type Harness } from './support/harness.js';
import { PusherClients, waitFor } from './support/pusher-clients.js';

const KEY = TEST_SECRETS.REVERB_APP_KEY;
const SECRET = TEST_SECRETS.REVERB_APP_SECRET;

interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  events: WebhookEvent[];
}

/** A local endpoint that records webhooks and answers each with what `answer` says (a status, or never). */
class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: number) => number | 'hang' = () => 200;
  private readonly server: Server;
  private readonly watchers = new Set<() => void>();

  constructor() {
    this.server = createServer((request, response: ServerResponse) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const answer = this.answer(this.received.length);
        this.received.push({ headers: request.headers, body, events: (JSON.parse(body) as { events: WebhookEvent[] }).events });
        for (const watcher of this.watchers) watcher();
        if (answer !== 'hang') response.writeHead(answer).end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/pusher/webhook`;
  }

  /** The first webhook (received already or later) that `match` accepts. */
  webhook(label: string, match: (webhook: ReceivedWebhook) => boolean, ms?: number): Promise<ReceivedWebhook> {
    return waitFor(
      label,
      (resolve) => {
        const check = () => {
          const found = this.received.find(match);
          if (found) resolve(found);
        };
        this.watchers.add(check);
        check();
        return () => this.watchers.delete(check);
      },
      ms,
    );
  }

  /** The first event like `expected`, in whichever webhook it came. */
  async event(expected: Partial<WebhookEvent>): Promise<WebhookEvent> {
    const matches = (event: WebhookEvent) => Object.entries(expected).every(([key, value]) => (event as Record<string, unknown>)[key] === value);
    const webhook = await this.webhook(`webhook event ${JSON.stringify(expected)}`, (w) => w.events.some(matches));
    return webhook.events.find(matches) as WebhookEvent;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('webhooks from a running Parley', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let clients: PusherClients;
  let sdk: Pusher;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    h = await startHarness('sqlite', { REVERB_WEBHOOK_URL: await receiver.start() });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    clients = new PusherClients({ port, key: KEY });
    sdk = new Pusher({ appId: TEST_SECRETS.REVERB_APP_ID, key: KEY, secret: SECRET, host: '127.0.0.1', port: String(port), useTLS: false });
  });

  afterEach(async () => {
    clients.closeAll();
    await receiver.close();
    await h.close();
  });

  const presenceClient = (userId: string) =>
    clients.connect({
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, callback) => callback(null, sdk.authorizeChannel(socketId, channelName, { user_id: userId })),
      },
    });

  it('signs each webhook with the app secret, as the pusher SDK checks it', async () => {
    const client = await clients.connect();
    await client.subscribe('news');

    const webhook = await receiver.webhook('a webhook', () => true);

    expect(webhook.headers['content-type']).toBe('application/json');
    expect(webhook.headers['x-pusher-key']).toBe(KEY);
    expect(webhook.headers['x-pusher-signature']).toBe(hmacHex(SECRET, webhook.body));
    expect(sdk.webhook({ headers: webhook.headers as Record<string, string>, rawBody: webhook.body }).isValid()).toBe(true);
    expect(JSON.parse(webhook.body)).toEqual({ time_ms: expect.any(Number) as unknown, events: [{ name: 'channel_occupied', channel: 'news' }] });
  });

  it('reports channel_occupied and channel_vacated', async () => {
    const client = await clients.connect();
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
    const client = await clients.connect();
    await client.subscribe('cache-prices');

    expect(await receiver.event({ name: 'cache_miss' })).toEqual({ name: 'cache_miss', channel: 'cache-prices' });
  });

  it('batches events that happen together into one webhook', async () => {
    const client = await clients.connect();
    await Promise.all(['one', 'two', 'three'].map((name) => client.subscribe(name)));

    const webhook = await receiver.webhook('the first webhook', () => true);

    expect(webhook.events.map((event) => event.channel).sort()).toEqual(['one', 'three', 'two']);
  });

  it('retries a webhook answered with 500, and the retry carries the same signed body', async () => {
    receiver.answer = (request) => (request === 0 ? 500 : 200);
    const client = await clients.connect();
    await client.subscribe('news');

    const retry = await receiver.webhook('the retry', (w) => receiver.received.indexOf(w) === 1, 5_000);

    expect(retry.body).toBe(receiver.received[0]?.body);
    expect(retry.headers['x-pusher-signature']).toBe(hmacHex(SECRET, retry.body));
  });

  it('keeps delivering to WebSocket clients while the webhook endpoint hangs', async () => {
    receiver.answer = () => 'hang';
    const client = await clients.connect();
    await client.subscribe('news');
    await receiver.webhook('the hanging webhook', () => true);

    const arrived = client.nextEvent('news', 'Headline', 1_000);
    await sdk.trigger('news', 'Headline', { title: 'still here' });
    const other = await clients.connect();
    await other.subscribe('sport');

    expect(await arrived).toEqual({ title: 'still here' });
  });
});

/** Timers that move only when `advance` is called, letting promise callbacks run in between. */
class ManualTimers implements Timers {
  private now = 0;
  private readonly due = new Set<{ at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.now + ms, callback };
    this.due.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as { at: number; callback: () => void });
  }

  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    await settle();
    for (;;) {
      const next = [...this.due].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.due.delete(next);
      this.now = next.at;
      next.callback();
      await settle();
    }
    this.now = until;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WebhookDispatcher', () => {
  const app = (webhooks: RealtimeApp['webhooks']): RealtimeApp => ({ ...DEFAULT_APP_LIMITS, id: 'a1', key: 'k1', secret: 's1', webhooks });
  let timers: ManualTimers;
  let statuses: number[];
  let fakeFetch: ReturnType<typeof vi.fn<(url: string, init: RequestInit) => Promise<Response>>>;
  let logger: Logger;

  const dispatcher = (webhooks: RealtimeApp['webhooks'], options: { maxQueued?: number } = {}) => {
    const registered = app(webhooks);
    return new WebhookDispatcher({ apps: { findById: (id) => (id === 'a1' ? registered : undefined) }, logger, fetch: fakeFetch as unknown as typeof fetch, timers, clock: { now: () => 1_000 }, ...options });
  };
  const bodies = () => fakeFetch.mock.calls.map(([url, init]) => ({ url, ...(JSON.parse(String(init.body)) as { time_ms: number; events: WebhookEvent[] }) }));

  beforeEach(() => {
    timers = new ManualTimers();
    statuses = [];
    fakeFetch = vi.fn(async () => new Response(null, { status: statuses.shift() ?? 200 }));
    logger = pino({ level: 'silent' });
  });

  it('sends a batch 250 ms after its first event, or at once when it reaches 50 events', async () => {
    const webhooks = dispatcher([{ url: 'http://hooks.test/a' }]);
    webhooks.listener('a1', { name: 'channel_occupied', channel: 'c0' });
    await timers.advance(249);
    expect(fakeFetch).not.toHaveBeenCalled();
    await timers.advance(1);
    expect(bodies()).toEqual([{ url: 'http://hooks.test/a', time_ms: 1_000, events: [{ name: 'channel_occupied', channel: 'c0' }] }]);

    for (let i = 0; i < 50; i++) webhooks.listener('a1', { name: 'channel_occupied', channel: `c${i}` });
    await settle();
    expect(bodies()[1]?.events).toHaveLength(50);
  });

  it("sends each URL only the events it asked for, and member_added without user_info", async () => {
    const webhooks = dispatcher([{ url: 'http://hooks.test/all' }, { url: 'http://hooks.test/members', events: ['member_added'] }, { url: 'http://hooks.test/none', events: ['cache_miss'] }]);
    webhooks.listener('a1', { name: 'channel_occupied', channel: 'presence-room' });
    webhooks.listener('a1', { name: 'member_added', channel: 'presence-room', user_id: 'u1', user_info: { name: 'U' } });
    webhooks.listener('other-app', { name: 'channel_occupied', channel: 'x' });
    await timers.advance(250);

    expect(bodies().map((b) => [b.url, b.events.map((e) => e.name)])).toEqual([
      ['http://hooks.test/all', ['channel_occupied', 'member_added']],
      ['http://hooks.test/members', ['member_added']],
    ]);
    expect(bodies()[1]?.events[0]).toEqual({ name: 'member_added', channel: 'presence-room', user_id: 'u1' });
  });

  it('retries failures after 1, 2, 4, 8 and 16 s, then drops the webhook with an error log', async () => {
    statuses = [500, 502, 503, 500, 500, 500];
    const error = vi.spyOn(logger, 'error');
    fakeFetch.mockImplementationOnce(async () => Promise.reject(new Error('connection refused')));
    const webhooks = dispatcher([{ url: 'http://hooks.test/a' }]);
    webhooks.listener('a1', { name: 'cache_miss', channel: 'cache-x' });
    await timers.advance(250);

    for (const wait of [1_000, 2_000, 4_000, 8_000, 16_000]) {
      const before = fakeFetch.mock.calls.length;
      await timers.advance(wait - 1);
      expect(fakeFetch.mock.calls.length).toBe(before);
      await timers.advance(1);
      expect(fakeFetch.mock.calls.length).toBe(before + 1);
    }
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ attempts: 6 }), expect.stringContaining('dropped'));
    expect(webhooks.pending).toBe(0);
  });

  it('drops new webhooks with an error log while its queue is full', async () => {
    fakeFetch.mockImplementation(() => new Promise<Response>(() => undefined));
    const error = vi.spyOn(logger, 'error');
    const webhooks = dispatcher([{ url: 'http://hooks.test/a' }], { maxQueued: 1 });
    webhooks.listener('a1', { name: 'channel_occupied', channel: 'one' });
    await timers.advance(250);
    webhooks.listener('a1', { name: 'channel_occupied', channel: 'two' });
    await timers.advance(250);

    expect(fakeFetch).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ events: 1 }), expect.stringContaining('queue full'));
  });

  it('close() sends what is pending at once and waits for the answers', async () => {
    const webhooks = dispatcher([{ url: 'http://hooks.test/a' }]);
    webhooks.listener('a1', { name: 'channel_vacated', channel: 'news' });

    await webhooks.close();

    expect(bodies()).toHaveLength(1);
    webhooks.listener('a1', { name: 'channel_occupied', channel: 'after-close' });
    await timers.advance(250);
    expect(bodies()).toHaveLength(1);
  });

  it('close() gives up on endpoints that do not answer within its timeout', async () => {
    const signals: AbortSignal[] = [];
    fakeFetch.mockImplementation((_url, init) => {
      signals.push(init.signal as AbortSignal);
      return new Promise<Response>(() => undefined);
    });
    const webhooks = dispatcher([{ url: 'http://hooks.test/a' }]);
    webhooks.listener('a1', { name: 'channel_vacated', channel: 'news' });

    const closed = webhooks.close(1_000);
    await timers.advance(1_000);
    await closed;

    expect(signals[0]?.aborted).toBe(true);
  });
});
