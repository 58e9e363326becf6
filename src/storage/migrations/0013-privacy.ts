import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';
import { columnTypes } from './column-types.js';

/**
 * Privacy tools (docs/privacy.md):
 * - `privacy_audit`: one row per export or erasure; counts, who, when and a keyed hash of the
 *   selector (to correlate repeated requests), never the email, user id or conversation's data.
 * - `maintenance_runs`: when each periodic job may run next; a node claims a run by moving
 *   `next_run_at` forward in one conditional update, so several nodes run it once.
 * - `conversations.ip_reduced`: 1 once `client_ip` lost its last octet (IPv4) or 80 bits (IPv6).
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { pg, time, id } = columnTypes(engine);

  await db.schema
    .createTable('privacy_audit')
    .addColumn('id', pg ? 'bigserial' : 'integer', id)
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('export', 'erase')`))
    .addColumn('selector_kind', 'text', (c) => c.notNull().check(sql`selector_kind in ('email', 'conversation', 'user')`))
    .addColumn('subject_hash', 'text', (c) => c.notNull())
    .addColumn('conversations', 'integer', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('privacy_audit_created_idx').on('privacy_audit').column('created_at').execute();

  await db.schema
    .createTable('maintenance_runs')
    .addColumn('job', 'text', (c) => c.primaryKey())
    .addColumn('next_run_at', time, (c) => c.notNull())
    .execute();

  await db.schema.alterTable('conversations').addColumn('ip_reduced', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('conversations_ip_reduce_idx').on('conversations').columns(['ip_reduced', 'last_activity_at']).execute();
  await db.schema.createIndex('conversations_open_idle_idx').on('conversations').columns(['status', 'last_activity_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_open_idle_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_ip_reduce_idx').ifExists().execute();
  await db.schema.alterTable('conversations').dropColumn('ip_reduced').execute();
  await db.schema.dropTable('maintenance_runs').ifExists().execute();
  await db.schema.dropTable('privacy_audit').ifExists().execute();
}
