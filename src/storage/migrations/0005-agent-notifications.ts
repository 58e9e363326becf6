import { sql, type Kysely } from 'kysely';

/**
 * Agents' notification preferences (docs/email.md, "What is sent when"): `notify_email` 1 lets an
 * agent be emailed about new conversations; existing and new agents start with it on. An integer
 * 0/1, read the same on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('notify_email', 'integer', (c) => c.notNull().defaultTo(1).check(sql`notify_email in (0, 1)`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agents').dropColumn('notify_email').execute();
}
