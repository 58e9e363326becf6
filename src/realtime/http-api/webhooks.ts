import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../time/clock.js';
import type { Timers as AllTimers } from '../../time/timers.js';
import type { RealtimeApp } from '../apps.js';
import { hmacHex } from '../protocol/signatures.js';
import type { ChannelEvent, ChannelEventListener } from '../server/channel-manager.js';

/** One event of a webhook body, in Pusher's shapes (`member_added` carries no `user_info`). */
export type WebhookEvent =
  | { name: 'channel_occupied' | 'channel_vacated' | 'cache_miss'; channel: string }
  | { name: 'member_added' | 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: string; socket_id: string; user_id?: string };

/** The timer functions the dispatcher uses, injectable so tests can move time by hand. */
export type Timers = Pick<AllTimers, 'setTimeout' | 'clearTimeout'>;

/** Unreferenced: a pending batch never keeps the process alive. */
const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WebhookDispatcherOptions {
  apps: { findById(id: string): RealtimeApp | undefined };
  logger: Logger;
  fetch?: typeof fetch;
  clock?: Clock;
  timers?: Timers;
  /** How long events wait for company before their batch is sent. */
  batchDelayMs?: number;
  /** A batch this large is sent at once. */
  batchSize?: number;
  /** Waits before each retry; after the last one fails the webhook is dropped. */
  retryDelaysMs?: readonly number[];
  /** Webhook requests queued or in flight, over every app; more are dropped with an error log. */
  maxQueued?: number;
  /** A webhook endpoint that has not answered by then counts as failed. */
  requestTimeoutMs?: number;
}

export const WEBHOOK_DEFAULTS = {
  batchDelayMs: 250,
  batchSize: 50,
  retryDelaysMs: [1_000, 2_000, 4_000, 8_000, 16_000],
  maxQueued: 1_000,
  requestTimeoutMs: 10_000,
} as const;

/** One POST to one URL, with its number of failed attempts so far. */
interface Delivery {
  app: RealtimeApp;
  url: string;
  body: string;
  failures: number;
}

/**
 * Sends Pusher-format webhooks: channel events are batched per app, signed with the app secret,
 * POSTed to each of the app's webhook URLs (filtered by its `events` list) and retried with
 * back-off. Fire and forget: the listener returns at once, so a slow endpoint never holds up
 * delivery to WebSocket clients.
 */
export class WebhookDispatcher {
  /** Pass to `RealtimeServer.listen` (or its `listeners`). */
  readonly listener: ChannelEventListener = (appId, event) => this.add(appId, event);

  private readonly fetch: typeof fetch;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly settings: Required<Omit<WebhookDispatcherOptions, 'apps' | 'logger' | 'fetch' | 'clock' | 'timers'>>;
  private readonly batches = new Map<string, { app: RealtimeApp; events: WebhookEvent[]; timer: unknown }>();
  /** Deliveries waiting for a retry, with their timers. */
  private readonly waiting = new Map<Delivery, unknown>();
  private readonly inFlight = new Map<Delivery, { abort: AbortController; done: Promise<void> }>();
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.settings = {
      batchDelayMs: options.batchDelayMs ?? WEBHOOK_DEFAULTS.batchDelayMs,
      batchSize: options.batchSize ?? WEBHOOK_DEFAULTS.batchSize,
      retryDelaysMs: options.retryDelaysMs ?? WEBHOOK_DEFAULTS.retryDelaysMs,
      maxQueued: options.maxQueued ?? WEBHOOK_DEFAULTS.maxQueued,
      requestTimeoutMs: options.requestTimeoutMs ?? WEBHOOK_DEFAULTS.requestTimeoutMs,
    };
  }

  /** Webhook requests queued for a retry or in flight. */
  get pending(): number {
    return this.waiting.size + this.inFlight.size;
  }

  /**
   * Sends every batch now, gives waiting retries one last attempt, and waits for the answers for
   * at most `timeoutMs`; requests still open then are aborted. Events after `close` are ignored.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    for (const appId of [...this.batches.keys()]) this.flush(appId);
    for (const [delivery, timer] of [...this.waiting]) {
      this.timers.clearTimeout(timer);
      this.waiting.delete(delivery);
      this.send(delivery);
    }
    const open = [...this.inFlight.values()];
    if (open.length === 0) return;
    let timer: unknown;
    const timedOut = new Promise<void>((resolve) => (timer = this.timers.setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(open.map((request) => request.done)), timedOut]);
    this.timers.clearTimeout(timer);
    if (this.inFlight.size > 0) {
      this.options.logger.error({ requests: this.inFlight.size }, 'webhooks still unanswered at shutdown were abandoned');
      for (const request of this.inFlight.values()) request.abort.abort();
    }
  }

  private add(appId: string, event: ChannelEvent): void {
    if (this.closed) return;
    const app = this.options.apps.findById(appId);
    if (!app || app.webhooks.length === 0) return;
    let batch = this.batches.get(appId);
    if (!batch) {
      const timer = this.timers.setTimeout(() => this.flush(appId), this.settings.batchDelayMs);
      this.batches.set(appId, (batch = { app, events: [], timer }));
    }
    batch.events.push(webhookEvent(event));
    if (batch.events.length >= this.settings.batchSize) this.flush(appId);
  }

  private flush(appId: string): void {
    const batch = this.batches.get(appId);
    if (!batch) return;
    this.batches.delete(appId);
    this.timers.clearTimeout(batch.timer);
    const timeMs = this.clock.now();
    for (const webhook of batch.app.webhooks) {
      const events = webhook.events ? batch.events.filter((event) => webhook.events?.includes(event.name)) : batch.events;
      if (events.length === 0) continue;
      if (this.pending >= this.settings.maxQueued) {
        this.options.logger.error({ appId, url: webhook.url, events: events.length }, 'webhook queue full: events dropped');
        continue;
      }
      this.send({ app: batch.app, url: webhook.url, body: JSON.stringify({ time_ms: timeMs, events }), failures: 0 });
    }
  }

  private send(delivery: Delivery): void {
    const abort = new AbortController();
    const timeout = this.timers.setTimeout(() => abort.abort(), this.settings.requestTimeoutMs);
    const done = this.post(delivery, abort.signal).then((failure) => {
      this.timers.clearTimeout(timeout);
      this.inFlight.delete(delivery);
      if (failure !== undefined) this.retry(delivery, failure);
    });
    this.inFlight.set(delivery, { abort, done });
  }

  /** One attempt; answers why it failed, or `undefined` on a 2xx. */
  private async post(delivery: Delivery, signal: AbortSignal): Promise<string | undefined> {
    try {
      const response = await this.fetch(delivery.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Pusher-Key': delivery.app.key,
          'X-Pusher-Signature': hmacHex(delivery.app.secret, delivery.body),
        },
        body: delivery.body,
        signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return signal.aborted ? 'no answer in time' : error instanceof Error ? error.message : String(error);
    }
  }

  private retry(delivery: Delivery, failure: string): void {
    const delay = this.settings.retryDelaysMs[delivery.failures];
    delivery.failures += 1;
    const context = { appId: delivery.app.id, url: delivery.url, attempts: delivery.failures, failure };
    if (delay === undefined || this.closed) {
      this.options.logger.error(context, 'webhook dropped: every attempt failed');
      return;
    }
    this.options.logger.warn({ ...context, retryInMs: delay }, 'webhook failed; retrying');
    const timer = this.timers.setTimeout(() => {
      this.waiting.delete(delivery);
      this.send(delivery);
    }, delay);
    this.waiting.set(delivery, timer);
  }
}

/** A channel event in the shape Pusher's webhooks give it. */
export function webhookEvent(event: ChannelEvent): WebhookEvent {
  switch (event.name) {
    case 'channel_occupied':
    case 'channel_vacated':
    case 'cache_miss':
      return { name: event.name, channel: event.channel };
    case 'member_added':
    case 'member_removed':
      return { name: event.name, channel: event.channel, user_id: event.user_id };
    case 'client_event': {
      const { name, channel, event: clientEvent, data, socket_id, user_id } = event;
      return user_id === undefined ? { name, channel, event: clientEvent, data, socket_id } : { name, channel, event: clientEvent, data, socket_id, user_id };
    }
    default: {
      const unreachable: never = event;
      throw new Error(`Unknown channel event ${JSON.stringify(unreachable)}`);
    }
  }
}
