import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The durable email queue and the suppression list (docs/email.md, "Delivery guarantees"): a row
 * is claimed with a lease by one node at a time, and an address that unsubscribed is never mailed.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === 'pgsql' ? 'bigint' : 'integer';
  await db.schema
    .createTable('email_queue')
    .addColumn('id', engine === 'pgsql' ? 'bigserial' : 'integer', (c) => (engine === 'pgsql' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    // The same logical email (one follow-up per burst, say) is queued once, whichever node asks.
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_after', time, (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until', time)
    .addColumn('last_error', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('sent_at', time)
    .execute();
  await db.schema.createIndex('email_queue_due_idx').on('email_queue').columns(['status', 'send_after']).execute();
  await db.schema
    .createTable('email_suppressions')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_suppressions').ifExists().execute();
  await db.schema.dropTable('email_queue').ifExists().execute();
}
