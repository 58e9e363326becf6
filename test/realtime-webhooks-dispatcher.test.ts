import pino, { type Logger } from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_APP_LIMITS, type RealtimeApp } from '../src/realtime/apps.js';
import { WebhookDispatcher, type Timers, type WebhookEvent } from '../src/realtime/http-api/webhooks.js';

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
