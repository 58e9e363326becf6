import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';
import { columnTypes } from './column-types.js';

/**
 * The agents' inbox tools (docs/dashboard.md): canned responses, internal notes, labels, ratings,
 * and the round-robin pointer of automatic assignment. Search indexes come in their own migration.
 * - `canned_responses.owner_id`: 0 for a shared answer, else the agent whose personal answer it is
 *   (a shortcut is unique per owner).
 * - `notes`: never in `messages`, so the visitor's `seq` stays gap-free; `after_seq` is the
 *   conversation's `last_seq` when the note was written, which places it among the messages.
 * - `conversation_ratings`: one per conversation; `agent_id` is who answered (the assignee) then.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { pk, time, ref, id } = columnTypes(engine);

  await db.schema
    .createTable('canned_responses')
    .addColumn('id', pk, id)
    .addColumn('owner_id', ref, (c) => c.notNull().defaultTo(0))
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', ref, (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('canned_responses_owner_shortcut_idx').on('canned_responses').columns(['owner_id', 'shortcut']).unique().execute();

  await db.schema
    .createTable('notes')
    .addColumn('id', pk, id)
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('agent_id', ref, (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('client_message_id', 'text')
    .addColumn('after_seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notes_conversation_idx').on('notes').columns(['conversation_id', 'id']).execute();
  await db.schema.createIndex('notes_client_id_idx').on('notes').columns(['conversation_id', 'client_message_id']).unique().execute();

  await db.schema
    .createTable('labels')
    .addColumn('id', pk, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('color', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('conversation_labels')
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('label_id', ref, (c) => c.notNull().references('labels.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('conversation_labels_pk', ['conversation_id', 'label_id'])
    .execute();
  await db.schema.createIndex('conversation_labels_label_idx').on('conversation_labels').columns(['label_id', 'conversation_id']).execute();

  await db.schema
    .createTable('conversation_ratings')
    .addColumn('conversation_id', ref, (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('score', 'integer', (c) => c.notNull().check(sql`score between 1 and 5`))
    .addColumn('comment', 'text')
    .addColumn('agent_id', ref, (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversation_ratings_created_idx').on('conversation_ratings').column('created_at').execute();

  // Round robin: the agent who got the last conversation handed out automatically.
  await db.schema.alterTable('chat_settings').addColumn('last_assigned_agent_id', ref).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('chat_settings').dropColumn('last_assigned_agent_id').execute();
  for (const table of ['conversation_ratings', 'conversation_labels', 'labels', 'notes', 'canned_responses']) await db.schema.dropTable(table).ifExists().execute();
}
