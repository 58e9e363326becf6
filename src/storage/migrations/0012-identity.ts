import type { Kysely } from 'kysely';

/**
 * Verified visitors (docs/identity.md): the host site's user id a conversation belongs to, and
 * whether it came from a verified identity token. A conversation with a user id follows that
 * user across devices and never matches the fingerprint rules (5 and 6) of anonymous visitors.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('visitor_user_id', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('identity_verified', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('conversations_visitor_user_idx').on('conversations').columns(['visitor_user_id', 'last_activity_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_visitor_user_idx').ifExists().execute();
  await db.schema.alterTable('conversations').dropColumn('identity_verified').execute();
  await db.schema.alterTable('conversations').dropColumn('visitor_user_id').execute();
}
