import type { Kysely, Selectable } from 'kysely';
import type { CannedResponsesTable, Database } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

export type CannedResponseRow = Selectable<CannedResponsesTable>;

/** `owner_id` of a shared canned response: every agent may use it (docs/api.md, "Canned responses"). */
export const SHARED_OWNER = 0;

/** What an insert or update did: `taken` when the owner already has that shortcut. */
export type CannedWrite = { status: 'saved'; row: CannedResponseRow } | { status: 'taken' } | { status: 'missing' };

/** Saved answers, shared (owner 0) or one agent's own; a shortcut is unique per owner (a unique index). */
export class CannedResponseStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The shared answers and those of `agentId`, by shortcut (shared first when both have one). */
  async visibleTo(agentId: number): Promise<CannedResponseRow[]> {
    return this.db
      .selectFrom('canned_responses')
      .selectAll()
      .where('owner_id', 'in', [SHARED_OWNER, agentId])
      .orderBy('shortcut', 'asc')
      .orderBy('owner_id', 'asc')
      .orderBy('id', 'asc')
      .execute();
  }

  async get(id: number): Promise<CannedResponseRow | undefined> {
    return this.db.selectFrom('canned_responses').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async create(values: { owner_id: number; shortcut: string; body: string; created_by: number; at: number }): Promise<CannedWrite> {
    const { at, ...rest } = values;
    try {
      const row = await this.db
        .insertInto('canned_responses')
        .values({ ...rest, created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { status: 'saved', row };
    } catch (error) {
      if (isUniqueViolation(error)) return { status: 'taken' };
      throw error;
    }
  }

  /** Changes the given fields of the answer `id`; `missing` when it is gone (deleted meanwhile). */
  async update(id: number, patch: { owner_id?: number; shortcut?: string; body?: string; at: number }): Promise<CannedWrite> {
    const { at, ...fields } = patch;
    try {
      const row = await this.db
        .updateTable('canned_responses')
        .set({ ...fields, updated_at: at })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? { status: 'saved', row } : { status: 'missing' };
    } catch (error) {
      if (isUniqueViolation(error)) return { status: 'taken' };
      throw error;
    }
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('canned_responses').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
