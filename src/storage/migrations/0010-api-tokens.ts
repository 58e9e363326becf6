import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';
import { columnTypes } from './column-types.js';

/**
 * Personal access tokens for the agent API (docs/api.md, "API tokens"). Only the keyed hash of a
 * token is stored (`token_hash`, looked up by equality); `scopes` is a comma list of `read`,
 * `write`, `admin`. A revoked token keeps its row (`revoked_at`) until its agent is deleted.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { pg, time, ref, id } = columnTypes(engine);

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', pg ? 'bigserial' : 'integer', id)
    .addColumn('agent_id', ref, (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time)
    .addColumn('last_used_at', time)
    .addColumn('revoked_at', time)
    .execute();
  await db.schema.createIndex('api_tokens_agent_idx').on('api_tokens').column('agent_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_tokens').ifExists().execute();
}
