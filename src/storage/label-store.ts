import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A label as the agent API answers it (docs/api.md, "Labels"). */
export interface LabelRow {
  id: number;
  name: string;
  color: string | null;
}

/** Labels and which conversations carry them. */
export class LabelStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<LabelRow[]> {
    return this.db.selectFrom('labels').select(['id', 'name', 'color']).orderBy('name').orderBy('id').execute();
  }

  /** Inserts a label; a unique violation (a name taken by a concurrent create) is the caller's to catch. */
  async create(name: string, color: string | null, now: number): Promise<LabelRow> {
    return this.db.insertInto('labels').values({ name, color, created_at: now }).returning(['id', 'name', 'color']).executeTakeFirstOrThrow();
  }

  /** Removes a label from every conversation, then the label; false when there was none. */
  async delete(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('conversation_labels').where('label_id', '=', id).execute();
      const result = await trx.deleteFrom('labels').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Replaces a conversation's labels with `labelIds`, atomically. */
  async setForConversation(conversationId: number, labelIds: number[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('conversation_labels').where('conversation_id', '=', conversationId).execute();
      if (labelIds.length === 0) return;
      await trx
        .insertInto('conversation_labels')
        .values(labelIds.map((label_id) => ({ conversation_id: conversationId, label_id })))
        .execute();
    });
  }

  /** The labels of each conversation, by name: one query for a whole inbox page. */
  async ofConversations(ids: number[]): Promise<Map<number, { name: string; color: string | null }[]>> {
    const found = new Map<number, { name: string; color: string | null }[]>();
    if (ids.length === 0) return found;
    const rows = await this.db
      .selectFrom('conversation_labels as cl')
      .innerJoin('labels as l', 'l.id', 'cl.label_id')
      .select(['cl.conversation_id', 'l.name', 'l.color'])
      .where('cl.conversation_id', 'in', ids)
      .orderBy('l.name')
      .execute();
    for (const r of rows) {
      const list = found.get(r.conversation_id) ?? [];
      list.push({ name: r.name, color: r.color });
      found.set(r.conversation_id, list);
    }
    return found;
  }
}
