import type { Kysely, Selectable } from 'kysely';
import type { AgentRow, ApiTokensTable, Database } from './schema.js';

export type ApiTokenRow = Selectable<ApiTokensTable>;

/** An API token as listed: never its hash; with its owner's name. */
export type ApiTokenListed = Omit<ApiTokenRow, 'token_hash'> & { agent_name: string };

const LISTED = ['t.id', 't.agent_id', 't.name', 't.scopes', 't.created_at', 't.expires_at', 't.last_used_at', 't.revoked_at', 'a.name as agent_name'] as const;

/** Personal access tokens (docs/api.md, "API tokens"), found by the keyed hash of the token. */
export class ApiTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: Omit<ApiTokenRow, 'id' | 'last_used_at' | 'revoked_at'>): Promise<ApiTokenListed> {
    const { id } = await this.db.insertInto('api_tokens').values(row).returning('id').executeTakeFirstOrThrow();
    return (await this.get(id)) as ApiTokenListed;
  }

  async get(id: number): Promise<ApiTokenListed | undefined> {
    return this.db.selectFrom('api_tokens as t').innerJoin('agents as a', 'a.id', 't.agent_id').select(LISTED).where('t.id', '=', id).executeTakeFirst();
  }

  /** Tokens not revoked, newest first (expired ones too: they still show when they ended). */
  async listActive(): Promise<ApiTokenListed[]> {
    return this.db
      .selectFrom('api_tokens as t')
      .innerJoin('agents as a', 'a.id', 't.agent_id')
      .select(LISTED)
      .where('t.revoked_at', 'is', null)
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id', 'desc')
      .execute();
  }

  /** Marks a token revoked; false when there is no such token or it was already revoked. */
  async revoke(id: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The token with this hash and its owner, revoked, expired or not: the caller judges. */
  async byHash(tokenHash: string): Promise<{ token: ApiTokenRow; agent: AgentRow } | undefined> {
    const token = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!token) return undefined;
    const agent = await this.db.selectFrom('agents').selectAll().where('id', '=', token.agent_id).executeTakeFirst();
    return agent ? { token, agent } : undefined;
  }

  async touch(id: number, now: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}
