import type { Kysely } from 'kysely';
import type { AgentRow, AgentsTable, Database } from './schema.js';
import type { Insertable, Updateable } from 'kysely';
import { deleteInBatches, PURGE_BATCH_SIZE } from './batches.js';

/** Agents and their login sessions. */
export class AgentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(values: Insertable<AgentsTable>): Promise<AgentRow> {
    return this.db.insertInto('agents').values(values).returningAll().executeTakeFirstOrThrow();
  }

  async get(id: number): Promise<AgentRow | undefined> {
    return this.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byEmail(email: string): Promise<AgentRow | undefined> {
    return this.db.selectFrom('agents').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  async list(): Promise<AgentRow[]> {
    return this.db.selectFrom('agents').selectAll().orderBy('id', 'asc').execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('agents').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Ids of the active agents seen (any authenticated request) since `since`. */
  async seenSince(since: number): Promise<number[]> {
    const rows = await this.db.selectFrom('agents').select('id').where('last_seen_at', '>=', since).where('deactivated_at', 'is', null).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /** Of the given agents, the active ones whose status is `online`. */
  async onlineAmong(ids: number[]): Promise<number[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.db
      .selectFrom('agents')
      .select('id')
      .where('id', 'in', unique)
      .where('status', '=', 'online')
      .where('deactivated_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Names of the given agents, for author names and assignment labels. */
  async names(ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.db.selectFrom('agents').select(['id', 'name']).where('id', 'in', unique).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async update(id: number, patch: Updateable<AgentsTable>): Promise<AgentRow | undefined> {
    return this.db.updateTable('agents').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async createSession(values: Database['agent_sessions']): Promise<void> {
    await this.db.insertInto('agent_sessions').values(values).execute();
  }

  /** The active agent behind a session that has not expired. */
  async sessionAgent(tokenHash: string, now: number): Promise<{ agent: AgentRow; expiresAt: number; startedAt: number } | undefined> {
    const row = await this.db
      .selectFrom('agent_sessions as s')
      .innerJoin('agents as a', 'a.id', 's.agent_id')
      .selectAll('a')
      .select(['s.expires_at', 's.created_at as session_created_at'])
      .where('s.token_hash', '=', tokenHash)
      .where('s.expires_at', '>', now)
      .where('a.deactivated_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const { expires_at, session_created_at, ...agent } = row;
    return { agent, expiresAt: expires_at, startedAt: session_created_at };
  }

  async extendSession(tokenHash: string, expiresAt: number): Promise<void> {
    await this.db.updateTable('agent_sessions').set({ expires_at: expiresAt }).where('token_hash', '=', tokenHash).execute();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('agent_sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends every session of an agent, except the one hashed as `exceptTokenHash` when given. */
  async deleteSessionsOf(agentId: number, exceptTokenHash?: string): Promise<void> {
    let q = this.db.deleteFrom('agent_sessions').where('agent_id', '=', agentId);
    if (exceptTokenHash !== undefined) q = q.where('token_hash', '!=', exceptTokenHash);
    await q.execute();
  }

  /** Deletes expired sessions, `batchSize` per statement (see `deleteInBatches`); answers how many went. */
  async purgeSessions(now: number, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    return deleteInBatches(async (limit) => {
      const rows = await this.db.selectFrom('agent_sessions').select('token_hash').where('expires_at', '<=', now).limit(limit).execute();
      if (rows.length === 0) return { picked: 0, deleted: 0 };
      const r = await this.db
        .deleteFrom('agent_sessions')
        .where('token_hash', 'in', rows.map((row) => row.token_hash))
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return { picked: rows.length, deleted: Number(r.numDeletedRows) };
    }, batchSize);
  }
}
