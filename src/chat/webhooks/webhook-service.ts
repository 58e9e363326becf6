import { randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../../errors/error-codes.js';
import type { NewDelivery, WebhookDeliveryRow, WebhookDeliveryStore } from '../../storage/webhook-delivery-store.js';
import type { WebhookRow, WebhookStore } from '../../storage/webhook-store.js';
import type { Clock } from '../../time/clock.js';
import type { AgentConversationDto } from '../dto.js';
import type { ChatEvent } from '../events.js';
import type { WebhookDeliveryDto, WebhookDto, WebhookEventName } from './webhook-dto.js';
import { NOTE_EVENT, occurrencesOf, type WebhookOccurrence } from './webhook-events.js';

export type { WebhookDeliveryDto, WebhookDto } from './webhook-dto.js';

export interface NewWebhookInput {
  url: string;
  events: WebhookEventName[];
  include_notes?: boolean | undefined;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toWebhookDto(row: WebhookRow): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventName[],
    include_notes: row.include_notes === 1,
    secret: row.secret,
    active: row.active === 1,
    failing_since: iso(row.failing_since),
    disabled_at: iso(row.disabled_at),
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function toDeliveryDto(row: WebhookDeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id,
    event: row.event,
    conversation_id: row.conversation_id,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: new Date(row.created_at).toISOString(),
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    delivered_at: iso(row.delivered_at),
  };
}

/** The chat events webhooks are made from (docs/webhooks.md, "Events"). */
const SOURCES = new Set<ChatEvent['name']>(['ConversationStarted', 'MessageSent', 'ConversationUpdated', 'NoteAdded']);

/** Whether an endpoint wants an occurrence: its events, notes only with `include_notes`, state read events only if it existed then. */
function wants(webhook: WebhookRow, events: string[], occurrence: WebhookOccurrence): boolean {
  if (occurrence.happenedAt !== null && occurrence.happenedAt < webhook.created_at) return false;
  return occurrence.event === NOTE_EVENT ? webhook.include_notes === 1 : events.includes(occurrence.event);
}

/**
 * Chat webhooks (docs/webhooks.md): admins register endpoints; committed chat events become one
 * durable delivery per endpoint that wants them (the listener), sent later by `WebhookWorker`.
 */
export class WebhookService {
  constructor(
    private readonly deps: {
      webhooks: WebhookStore;
      deliveries: WebhookDeliveryStore;
      conversation(id: number): Promise<AgentConversationDto | undefined>;
      clock: Clock;
      /** The local worker sends what was queued without waiting for its timer. */
      wake(): void;
    },
  ) {}

  /** Queues what a committed chat event means for each active endpoint (a `ChatEventListener`). */
  async handle(event: ChatEvent): Promise<void> {
    if (!SOURCES.has(event.name)) return; // read marks, presence: never a webhook, and no query
    const endpoints = await this.deps.webhooks.active();
    if (endpoints.length === 0) return;
    const occurrences = await occurrencesOf(event, (id) => this.deps.conversation(id));
    if (occurrences.length === 0) return;
    const now = this.deps.clock.now();
    const rows: NewDelivery[] = [];
    for (const occurrence of occurrences) {
      const payload = JSON.stringify({ id: `evt_${randomBytes(12).toString('hex')}`, event: occurrence.event, version: 1, created_at: new Date(now).toISOString(), data: occurrence.data });
      for (const webhook of endpoints) {
        const events = JSON.parse(webhook.events) as string[];
        if (!wants(webhook, events, occurrence)) continue;
        rows.push({ webhookId: webhook.id, event: occurrence.event, conversationId: occurrence.conversationId, dedupeKey: occurrence.dedupeKey, payload });
      }
    }
    if (rows.length > 0 && (await this.deps.deliveries.enqueue(rows, now)) > 0) this.deps.wake();
  }

  async list(): Promise<WebhookDto[]> {
    return (await this.deps.webhooks.list()).map(toWebhookDto);
  }

  async get(id: number): Promise<Result<WebhookDto>> {
    const row = await this.deps.webhooks.get(id);
    return row ? ok(toWebhookDto(row)) : fail('not_found', 'Webhook not found.');
  }

  /** Registers an endpoint with a new secret (`whsec_` and 32 random bytes in hex). */
  async create(input: NewWebhookInput): Promise<WebhookDto> {
    const secret = `whsec_${randomBytes(32).toString('hex')}`;
    const events = [...new Set(input.events)];
    const row = await this.deps.webhooks.create({ url: input.url, events, secret, includeNotes: input.include_notes ?? false }, this.deps.clock.now());
    return toWebhookDto(row);
  }

  async delete(id: number): Promise<Result<null>> {
    return (await this.deps.webhooks.delete(id)) ? ok(null) : fail('not_found', 'Webhook not found.');
  }

  /** Re-enables (pending deliveries are due at once) or disables an endpoint. */
  async setActive(id: number, active: boolean): Promise<Result<WebhookDto>> {
    const now = this.deps.clock.now();
    const row = await this.deps.webhooks.setActive(id, active, now);
    if (!row) return fail('not_found', 'Webhook not found.');
    if (active) {
      await this.deps.deliveries.dueNow(id, now);
      this.deps.wake();
    }
    return ok(toWebhookDto(row));
  }

  /** The endpoint's delivery log, newest first; `before` pages on. */
  async deliveries(id: number, limit: number, before?: number): Promise<Result<WebhookDeliveryDto[]>> {
    if (!(await this.deps.webhooks.get(id))) return fail('not_found', 'Webhook not found.');
    return ok((await this.deps.deliveries.list(id, limit, before)).map(toDeliveryDto));
  }

  /**
   * Sends a delivery again: a pending one is tried at once (its back-off skipped, its place in the
   * conversation's order kept); a delivered or failed one is queued again as a new delivery with
   * the same payload (same event `id`, so receivers can tell).
   */
  async redeliver(id: number, deliveryId: number): Promise<Result<WebhookDeliveryDto>> {
    const row = await this.deps.deliveries.get(deliveryId);
    if (!row || row.webhook_id !== id) return fail('not_found', 'Delivery not found.');
    const now = this.deps.clock.now();
    if (row.status === 'pending' && (await this.deps.deliveries.retryNow(row.id, now))) {
      this.deps.wake();
      return ok(toDeliveryDto({ ...row, next_attempt_at: now }));
    }
    const copy = await this.deps.deliveries.redeliver(row, now);
    this.deps.wake();
    return ok(toDeliveryDto(copy));
  }
}
