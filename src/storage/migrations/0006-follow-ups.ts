import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Follow-ups and reminders (docs/email.md, "What is sent when"):
 * - `conversations.followup_seq`: the highest agent message a follow-up email covered (or that
 *   needed none, read in time); `unanswered_seq`: the highest visitor message agents were told
 *   was left unanswered. Advancing either is the claim that makes one node send each email.
 * - `conversation_links`: the single-use links in follow-up emails that reopen a conversation in
 *   the widget; only the token's hash is stored.
 * - `agents.notify_unanswered`: an agent's preference for the "unanswered" email (1 on).
 * - `chat_settings.transcript_on_close`: mail the visitor the transcript when a conversation closes.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === 'pgsql' ? 'bigint' : 'integer';
  const ref = engine === 'pgsql' ? 'bigint' : 'integer';
  await db.schema.alterTable('conversations').addColumn('followup_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('conversations').addColumn('unanswered_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .alterTable('agents')
    .addColumn('notify_unanswered', 'integer', (c) => c.notNull().defaultTo(1).check(sql`notify_unanswered in (0, 1)`))
    .execute();
  await db.schema.alterTable('chat_settings').addColumn('transcript_on_close', 'integer').execute();
  await db.schema
    .createTable('conversation_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .execute();
  await db.schema.createIndex('conversation_links_conversation_idx').on('conversation_links').column('conversation_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversation_links').ifExists().execute();
  await db.schema.alterTable('chat_settings').dropColumn('transcript_on_close').execute();
  await db.schema.alterTable('agents').dropColumn('notify_unanswered').execute();
  await db.schema.alterTable('conversations').dropColumn('unanswered_seq').execute();
  await db.schema.alterTable('conversations').dropColumn('followup_seq').execute();
}
