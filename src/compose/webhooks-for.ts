import type { Logger } from 'pino';
import { WebhookService } from '../chat/webhooks/webhook-service.js';
import type { WebhookResponse, WebhookTransport } from '../chat/webhooks/webhook-transport.js';
import { WebhookWorker, type WebhookWorkerOptions } from '../chat/webhooks/webhook-worker.js';
import type { Config } from '../config/config.js';
import type { MailOutbox } from '../mail/mail-outbox.js';
import { webhookDisabledEmail } from '../mail/webhook-disabled-email.js';
import { randomToken } from '../security/hashing.js';
import type { Storage } from '../storage/database.js';
import { WebhookDeliveryStore } from '../storage/webhook-delivery-store.js';
import { WebhookStore } from '../storage/webhook-store.js';
import type { Clock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';
import type { Stores } from './stores.js';

/** Webhooks, built (docs/webhooks.md): the service (routes and the chat-event listener) and the worker. */
export interface Webhooks {
  service: WebhookService;
  worker: WebhookWorker;
  deliveries: WebhookDeliveryStore;
  store: WebhookStore;
}

/** POSTs with `fetch`, abandoned after `timeoutMs` (timed by `timers`, so tests move time by hand); redirects are not followed. */
export function fetchTransport(timers: Timers): WebhookTransport {
  return {
    post: async ({ url, headers, body, timeoutMs }): Promise<WebhookResponse> => {
      const abort = new AbortController();
      const timer = timers.setTimeout(() => abort.abort(), timeoutMs);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: abort.signal });
        // The body is not needed, and not read: a huge or endless answer cannot hold the worker.
        await response.body?.cancel().catch(() => undefined);
        return { status: response.status };
      } catch (error) {
        if (abort.signal.aborted) return { error: `timed out after ${timeoutMs / 1000} s` };
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
        return { error: `${error instanceof Error ? error.message : String(error)}${cause}` };
      } finally {
        timers.clearTimeout(timer);
      }
    },
  };
}

/** The webhook service and its worker (not started) over one database; a disabled endpoint is mailed to every active admin. */
export function webhooksFor(
  config: Pick<Config, 'http'>,
  deps: { storage: Storage; stores: Pick<Stores, 'agents' | 'conversations' | 'views'>; outbox: Pick<MailOutbox, 'enqueue'>; clock: Clock; timers: Timers; logger: Logger; transport?: WebhookTransport; nodeId?: string; options?: Partial<WebhookWorkerOptions> },
): Webhooks {
  const { stores } = deps;
  const store = new WebhookStore(deps.storage.db);
  const deliveries = new WebhookDeliveryStore(deps.storage.db, deps.storage.engine);
  const worker = new WebhookWorker({
    deliveries,
    webhooks: store,
    transport: deps.transport ?? fetchTransport(deps.timers),
    clock: deps.clock,
    timers: deps.timers,
    logger: deps.logger.child({ component: 'webhooks' }),
    nodeId: deps.nodeId ?? `node-${randomToken(9)}`,
    disabled: async (webhook) => {
      const last = (await deliveries.list(webhook.id, 1))[0];
      const current = await store.get(webhook.id);
      const draft = webhookDisabledEmail({
        webhookId: webhook.id,
        url: webhook.url,
        failingSince: new Date(current?.failing_since ?? webhook.failing_since ?? deps.clock.now()),
        lastError: last?.last_error ?? null,
        dashboardUrl: `${config.http.appUrl}/stratus/webhooks`,
      });
      const admins = (await stores.agents.list()).filter((a) => a.role === 'admin' && a.deactivated_at === null);
      for (const admin of admins) await deps.outbox.enqueue({ to: admin.email, kind: 'webhook-disabled', draft, dedupeKey: `webhook-disabled:${webhook.id}:${deps.clock.now()}:${admin.id}` });
    },
    ...(deps.options ? { options: deps.options } : {}),
  });
  const service = new WebhookService({
    webhooks: store,
    deliveries,
    conversation: async (id) => {
      const row = await stores.conversations.get(id);
      return row && stores.views.forAgent(row);
    },
    clock: deps.clock,
    wake: () => worker.wake(),
  });
  return { service, worker, deliveries, store };
}
