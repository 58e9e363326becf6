import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Engine } from './engine.js';
import type { Database } from './schema.js';
import type { WebhookDeliveriesTable } from './webhook-schema.js';

export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

export interface NewDelivery {
  webhookId: number;
  event: string;
  conversationId: number | null;
  /** Queued once per endpoint: a second insert with the key is a no-op. */
  dedupeKey: string | null;
  payload: string;
}

/**
 * The durable queue of webhook deliveries (docs/webhooks.md, "Retries" and "Ordering"). Claims are
 * one statement with a lease, like the email queue's (`FOR UPDATE SKIP LOCKED` on PostgreSQL), and
 * skip a delivery while an older one of the same endpoint and conversation is still pending.
 */
export class WebhookDeliveryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  /** Queues deliveries; answers how many were new (the rest had their dedupe key queued already). */
  async enqueue(deliveries: NewDelivery[], now: number): Promise<number> {
    let queued = 0;
    for (const d of deliveries) {
      const row = await this.db
        .insertInto('webhook_deliveries')
        .values({ webhook_id: d.webhookId, event: d.event, conversation_id: d.conversationId, dedupe_key: d.dedupeKey, payload: d.payload, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now })
        .onConflict((oc) => oc.columns(['webhook_id', 'dedupe_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (row) queued += 1;
    }
    return queued;
  }

  /** Claims up to `limit` due deliveries of active endpoints for `node` until `now + leaseMs`, counting an attempt on each. */
  async claimDue(node: string, now: number, leaseMs: number, limit: number): Promise<WebhookDeliveryRow[]> {
    const pg = this.engine === 'pgsql';
    const rows = await this.db
      .with(
        (cte) => (pg ? cte('due').materialized() : cte('due')),
        (db) => {
          const due = db
            .selectFrom('webhook_deliveries as d')
            .select('d.id')
            .where('d.status', '=', 'pending')
            .where('d.next_attempt_at', '<=', now)
            .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', now)]))
            .where('d.webhook_id', 'in', (eb) => eb.selectFrom('webhooks').select('webhooks.id').where('webhooks.active', '=', 1))
            // Order per endpoint and conversation: an older delivery still pending goes first.
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('webhook_deliveries as o')
                    .select('o.id')
                    .whereRef('o.webhook_id', '=', 'd.webhook_id')
                    .whereRef('o.conversation_id', '=', 'd.conversation_id')
                    .where('o.status', '=', 'pending')
                    .whereRef('o.id', '<', 'd.id'),
                ),
              ),
            )
            .orderBy('d.next_attempt_at')
            .orderBy('d.id')
            .limit(limit);
          return pg ? due.forUpdate().skipLocked() : due;
        },
      )
      .updateTable('webhook_deliveries')
      .set((eb) => ({ lease_owner: node, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .where('status', '=', 'pending')
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.id - b.id);
  }

  /** The endpoint answered 2xx; false when the claim was lost. */
  markDelivered(id: number, node: string, now: number, statusCode: number): Promise<boolean> {
    return this.settle(id, node, { status: 'delivered', delivered_at: now, last_status_code: statusCode, last_error: null, lease_until: null });
  }

  /** Another attempt at `retryAt`. */
  markRetry(id: number, node: string, retryAt: number, statusCode: number | null, error: string): Promise<boolean> {
    return this.settle(id, node, { next_attempt_at: retryAt, lease_owner: null, lease_until: null, last_status_code: statusCode, last_error: error });
  }

  /** Given up after its last attempt. */
  markFailed(id: number, node: string, statusCode: number | null, error: string): Promise<boolean> {
    return this.settle(id, node, { status: 'failed', lease_until: null, last_status_code: statusCode, last_error: error });
  }

  get(id: number): Promise<WebhookDeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The endpoint's log, newest first. */
  list(webhookId: number, limit: number, beforeId?: number): Promise<WebhookDeliveryRow[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (beforeId !== undefined) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  }

  /** Queues a delivery's payload again as a new delivery (its log row stays as it was). */
  async redeliver(row: WebhookDeliveryRow, now: number): Promise<WebhookDeliveryRow> {
    return this.db
      .insertInto('webhook_deliveries')
      .values({ webhook_id: row.webhook_id, event: row.event, conversation_id: row.conversation_id, dedupe_key: null, payload: row.payload, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** A pending delivery is due now (its back-off skipped); false when it is no longer pending. */
  async retryNow(id: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('webhook_deliveries').set({ next_attempt_at: now }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Pending deliveries of a re-enabled endpoint are due now. */
  async dueNow(webhookId: number, now: number): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ next_attempt_at: now }).where('webhook_id', '=', webhookId).where('status', '=', 'pending').execute();
  }

  /**
   * Forgets the deliveries about these conversations (their payloads hold the visitor's name, email
   * and IP): for erasure and purges (docs/webhooks.md, "Personal data"). Answers how many went.
   */
  async deleteForConversations(conversationIds: number[]): Promise<number> {
    if (conversationIds.length === 0) return 0;
    const result = await this.db.deleteFrom('webhook_deliveries').where('conversation_id', 'in', conversationIds).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes finished deliveries (delivered or failed) created before `before`: the log is not kept for ever. */
  async deleteFinishedBefore(before: number): Promise<number> {
    const result = await this.db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async counts(webhookId?: number): Promise<Record<WebhookDeliveryRow['status'], number>> {
    let query = this.db.selectFrom('webhook_deliveries').select(['status', (eb) => eb.fn.countAll<number | string>().as('n')]);
    if (webhookId !== undefined) query = query.where('webhook_id', '=', webhookId);
    const counts = { pending: 0, delivered: 0, failed: 0 };
    for (const row of await query.groupBy('status').execute()) counts[row.status] = Number(row.n);
    return counts;
  }

  private async settle(id: number, node: string, set: Updateable<WebhookDeliveriesTable>): Promise<boolean> {
    const result = await this.db.updateTable('webhook_deliveries').set(set).where('id', '=', id).where('lease_owner', '=', node).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
