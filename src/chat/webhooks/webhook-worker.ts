import type { Logger } from 'pino';
import type { WebhookDeliveryRow, WebhookDeliveryStore } from '../../storage/webhook-delivery-store.js';
import type { WebhookRow, WebhookStore } from '../../storage/webhook-store.js';
import type { Clock } from '../../time/clock.js';
import { PolledRun } from '../../time/polled-run.js';
import type { Timers } from '../../time/timers.js';
import { signatureHeader } from './webhook-signature.js';
import type { WebhookResponse, WebhookTransport } from './webhook-transport.js';

export interface WebhookWorkerOptions {
  /** How long a claim lasts; longer than `timeoutMs`. */
  leaseMs: number;
  batchSize: number;
  pollMs: number;
  /** One POST's limit. */
  timeoutMs: number;
  /** Attempts before a delivery fails: 13 at 30 s, 1, 2, 4… minutes, at most 8 h apart, span about a day. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An endpoint failing this long without a success is disabled and admins are emailed. */
  disableAfterMs: number;
}

const HOUR = 3_600_000;
export const WEBHOOK_WORKER_DEFAULTS: WebhookWorkerOptions = {
  leaseMs: 60_000,
  batchSize: 10,
  pollMs: 5_000,
  timeoutMs: 10_000,
  maxAttempts: 13,
  baseDelayMs: 30_000,
  maxDelayMs: 8 * HOUR,
  disableAfterMs: 24 * HOUR,
};

/** The wait after failed attempt number `attempts` (1-based): base, 2×base, 4×base…, capped. */
export function retryDelay(attempts: number, options: Pick<WebhookWorkerOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

export interface WebhookRunSummary {
  delivered: number;
  retried: number;
  failed: number;
}

export interface WebhookWorkerDeps {
  deliveries: WebhookDeliveryStore;
  webhooks: WebhookStore;
  transport: WebhookTransport;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  nodeId: string;
  /** Called once (cluster-wide) when an endpoint is disabled after persistent failure: admins are emailed. */
  disabled(webhook: WebhookRow): Promise<void>;
  options?: Partial<WebhookWorkerOptions>;
}

/**
 * Sends the webhook queue (docs/webhooks.md, "Retries"): claims due deliveries with a lease, POSTs
 * each signed, marks it delivered on 2xx, else retries with back-off or gives up. One runs in every
 * node; a claim makes each delivery one node's at a time, and a batch holds at most one delivery per
 * endpoint and conversation, so they are sent side by side without reordering.
 */
export class WebhookWorker extends PolledRun<WebhookRunSummary> {
  readonly options: WebhookWorkerOptions;

  constructor(private readonly deps: WebhookWorkerDeps) {
    super({ timers: deps.timers, onError: (error) => deps.logger.error({ err: error }, 'webhook queue run failed') }, () => this.options.pollMs);
    this.options = { ...WEBHOOK_WORKER_DEFAULTS, ...deps.options };
  }

  protected async loop(): Promise<WebhookRunSummary> {
    const summary: WebhookRunSummary = { delivered: 0, retried: 0, failed: 0 };
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return summary;
        const { leaseMs, batchSize } = this.options;
        const batch = await this.deps.deliveries.claimDue(this.deps.nodeId, this.deps.clock.now(), leaseMs, batchSize);
        if (batch.length === 0) break;
        const endpoints = new Map<number, Promise<WebhookRow | undefined>>();
        const endpoint = (id: number) => endpoints.get(id) ?? endpoints.set(id, this.deps.webhooks.get(id)).get(id)!;
        const outcomes = await Promise.all(batch.map(async (row) => this.deliver(row, await endpoint(row.webhook_id))));
        for (const outcome of outcomes) summary[outcome] += 1;
      }
    } while (this.again && !this.stopped);
    return summary;
  }

  private async deliver(row: WebhookDeliveryRow, webhook: WebhookRow | undefined): Promise<keyof WebhookRunSummary> {
    const { deliveries, transport, clock, nodeId } = this.deps;
    if (webhook === undefined) return 'failed'; // deleted meanwhile: its deliveries went with it
    const now = clock.now();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Parley-Webhooks/1',
      'x-parley-event': row.event,
      'x-parley-delivery': String(row.id),
      'x-parley-signature': signatureHeader(webhook.secret, row.payload, Math.floor(now / 1000)),
    };
    let response: WebhookResponse;
    try {
      response = await transport.post({ url: webhook.url, headers, body: row.payload, timeoutMs: this.options.timeoutMs });
    } catch (error) {
      response = { error: error instanceof Error ? error.message : String(error) };
    }
    if ('status' in response && response.status >= 200 && response.status < 300) {
      if (!(await deliveries.markDelivered(row.id, nodeId, clock.now(), response.status))) {
        this.deps.logger.warn({ delivery_id: row.id }, 'webhook delivered after its lease expired: another node may send it too');
      }
      await this.deps.webhooks.succeeded(webhook.id);
      return 'delivered';
    }
    return this.failed(row, webhook, response);
  }

  private async failed(row: WebhookDeliveryRow, webhook: WebhookRow, response: WebhookResponse): Promise<keyof WebhookRunSummary> {
    const { deliveries, webhooks, clock, logger, nodeId } = this.deps;
    const now = clock.now();
    const status = 'status' in response ? response.status : null;
    const error = 'status' in response ? `HTTP ${response.status}` : response.error;
    const log = { webhook_id: webhook.id, delivery_id: row.id, event: row.event, attempt: row.attempts, status, error };
    let outcome: keyof WebhookRunSummary;
    if (row.attempts >= this.options.maxAttempts) {
      await deliveries.markFailed(row.id, nodeId, status, error);
      logger.error(log, 'webhook delivery given up');
      outcome = 'failed';
    } else {
      const at = now + retryDelay(row.attempts, this.options);
      await deliveries.markRetry(row.id, nodeId, at, status, error);
      logger.warn({ ...log, retry_at: new Date(at).toISOString() }, 'webhook not delivered; will retry');
      outcome = 'retried';
    }
    const since = await webhooks.failed(webhook.id, now);
    if (since !== undefined && now - since >= this.options.disableAfterMs && (await webhooks.disable(webhook.id, now))) {
      logger.error({ webhook_id: webhook.id, failing_since: new Date(since).toISOString() }, 'webhook endpoint disabled after failing for a day');
      await this.deps.disabled(webhook).catch((e: unknown) => logger.error({ err: e }, 'could not tell admins of a disabled webhook'));
    }
    return outcome;
  }
}
