import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';
import { columnTypes } from './column-types.js';

/**
 * Chat webhooks (docs/webhooks.md): the endpoints admins register and the durable queue of their
 * deliveries. A delivery is claimed with a lease like an email (`lease_owner`, `lease_until`);
 * `dedupe_key` is unique per endpoint, so an event seen twice is queued once.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { pk, time, ref, id } = columnTypes(engine);

  await db.schema
    .createTable('webhooks')
    .addColumn('id', pk, id)
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('include_notes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('failing_since', time)
    .addColumn('disabled_at', time)
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', pk, id)
    .addColumn('webhook_id', ref, (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('conversation_id', ref)
    .addColumn('dedupe_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', time, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', time)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('delivered_at', time)
    .execute();
  // Due work: pending rows by time; the ordering check looks up older pending rows of one endpoint and conversation.
  await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_order_idx').on('webhook_deliveries').columns(['webhook_id', 'conversation_id', 'status', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_dedupe_idx').on('webhook_deliveries').columns(['webhook_id', 'dedupe_key']).unique().execute();
  await db.schema.createIndex('webhook_deliveries_log_idx').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhooks').ifExists().execute();
}
