import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';
import { columnTypes } from './column-types.js';

/**
 * Attachments (docs/api.md, "Attachments"; docs/architecture.md, "Data"):
 * - `attachments`: one row per file of a message, inserted in the message's transaction; `disk`
 *   says which `FileStore` holds the bytes under `storage_key` (random, never user-chosen).
 * - `attachment_blobs`: the bytes themselves when `CHAT_ATTACHMENT_DISK=database` (the default).
 *   No foreign key: bytes are put before the message is stored, and a crash in between leaves a
 *   blob without a row, which `parley purge` deletes once older than an hour (`created_at`).
 * - `messages.attachment_count`: so listing messages queries `attachments` only for messages that have some.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { pg, pk, time, ref, id } = columnTypes(engine);

  await db.schema.alterTable('messages').addColumn('attachment_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', pk, id)
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('message_id', ref, (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('disk', 'text', (c) => c.notNull().check(sql`disk in ('database', 's3')`))
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_message_idx').on('attachments').column('message_id').execute();
  await db.schema.createIndex('attachments_conversation_idx').on('attachments').column('conversation_id').execute();

  await db.schema
    .createTable('attachment_blobs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachment_blobs_created_idx').on('attachment_blobs').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('attachment_blobs').ifExists().execute();
  await db.schema.dropTable('attachments').ifExists().execute();
  await db.schema.alterTable('messages').dropColumn('attachment_count').execute();
}
