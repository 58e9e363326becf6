import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Availability (docs/api.md, "Availability"): each agent's `online`/`away` status, and the one row
 * of chat settings an admin edits. A null setting means "the default" (for the greeting and
 * colour, `CHAT_GREETING` and `CHAT_COLOR`), so an install that never saves settings keeps its behaviour.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const time = engine === 'pgsql' ? 'bigint' : 'integer';
  await db.schema
    .alterTable('agents')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('online').check(sql`status in ('online', 'away')`))
    .execute();
  await db.schema
    .createTable('chat_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('business_hours', 'text')
    .addColumn('away_message', 'text')
    .addColumn('offline_mode', 'text', (c) => c.check(sql`offline_mode in ('form', 'hide')`))
    .addColumn('greeting', 'text')
    .addColumn('color', 'text')
    .addColumn('auto_assign', 'integer')
    .addColumn('max_open_per_agent', 'integer')
    .addColumn('updated_at', time)
    // The last business-hours change announced on `chat-status`: one node of several claims each.
    .addColumn('boundary_announced_at', time)
    .execute();
  await db.insertInto('chat_settings' as never).values({ id: 1 } as never).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chat_settings').ifExists().execute();
  await db.schema.alterTable('agents').dropColumn('status').execute();
}
