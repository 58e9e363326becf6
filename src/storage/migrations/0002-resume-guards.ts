import type { Kysely } from 'kysely';

/**
 * Guards on rules 5 and 6 (docs/security.md, "What the resume rules trust"): the `Origin` a conversation was started from,
 * and the seed that lets a repeated lookup answer the same resume ticket. Conversations from
 * before this migration have no origin, so rules 5 and 6 never match them (a stored token still works).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('origin', 'text').execute();
  await db.schema.alterTable('resume_tickets').addColumn('seed', 'text').execute();
  await db.schema
    .createIndex('resume_tickets_holder_idx')
    .on('resume_tickets')
    .columns(['conversation_id', 'fingerprint_hash', 'client_ip'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('resume_tickets_holder_idx').ifExists().execute();
  await db.schema.alterTable('resume_tickets').dropColumn('seed').execute();
  await db.schema.alterTable('conversations').dropColumn('origin').execute();
}
