import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { WebhooksTable } from './webhook-schema.js';

export type WebhookRow = Selectable<WebhooksTable>;

export interface NewWebhook {
  url: string;
  events: string[];
  secret: string;
  includeNotes: boolean;
}

/** The endpoints admins registered (docs/webhooks.md). */
export class WebhookStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(webhook: NewWebhook, now: number): Promise<WebhookRow> {
    return this.db
      .insertInto('webhooks')
      .values({ url: webhook.url, events: JSON.stringify(webhook.events), secret: webhook.secret, include_notes: webhook.includeNotes ? 1 : 0, active: 1, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  list(): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  }

  /** The endpoints that receive new events. */
  active(): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('active', '=', 1).orderBy('id').execute();
  }

  get(id: number): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Deletes the endpoint and, by cascade, its deliveries; false when there was none. */
  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Turns an endpoint on (its failures forgotten) or off by hand. */
  async setActive(id: number, active: boolean, now: number): Promise<WebhookRow | undefined> {
    const set = active ? { active: 1, failing_since: null, disabled_at: null } : { active: 0, disabled_at: now };
    return this.db.updateTable('webhooks').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** A delivery succeeded: the endpoint is healthy again. */
  async succeeded(id: number): Promise<void> {
    await this.db.updateTable('webhooks').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
  }

  /** A delivery failed at `now`: answers when the run of failures began. */
  async failed(id: number, now: number): Promise<number | undefined> {
    await this.db.updateTable('webhooks').set({ failing_since: now }).where('id', '=', id).where('failing_since', 'is', null).execute();
    const row = await this.db.selectFrom('webhooks').select('failing_since').where('id', '=', id).executeTakeFirst();
    return row?.failing_since ?? undefined;
  }

  /** Disables an active endpoint; true for the one caller (of any node) that did it. */
  async disable(id: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('webhooks').set({ active: 0, disabled_at: now }).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
