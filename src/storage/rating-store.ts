import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

export interface RatingRow {
  conversation_id: number;
  score: number;
  comment: string | null;
  agent_id: number | null;
  created_at: number;
}

/** Visitors' ratings of closed conversations: one per conversation. */
export class RatingStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a rating; false when the conversation already has one (the first stands). */
  async create(row: RatingRow): Promise<boolean> {
    try {
      await this.db.insertInto('conversation_ratings').values(row).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async get(conversationId: number): Promise<RatingRow | undefined> {
    return this.db.selectFrom('conversation_ratings').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
  }

  /** The rating of each conversation that has one: one query for a whole inbox page. */
  async ofConversations(ids: number[]): Promise<Map<number, RatingRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('conversation_ratings').selectAll().where('conversation_id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.conversation_id, r]));
  }

  /** The agent who wrote the conversation's latest agent message, if any. */
  async lastReplier(conversationId: number): Promise<number | null> {
    const row = await this.db
      .selectFrom('messages')
      .select('agent_id')
      .where('conversation_id', '=', conversationId)
      .where('sender', '=', 'agent')
      .where('agent_id', 'is not', null)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.agent_id ?? null;
  }

  /** Ratings given at or after `since`, with the rated agent's name (null when none or deleted). */
  async since(since: number): Promise<{ agent_id: number | null; agent_name: string | null; score: number; created_at: number }[]> {
    const rows = await this.db
      .selectFrom('conversation_ratings as r')
      .leftJoin('agents as a', 'a.id', 'r.agent_id')
      .select(['r.agent_id', 'a.name as agent_name', 'r.score', 'r.created_at'])
      .where('r.created_at', '>=', since)
      .execute();
    return rows.map((r) => ({ ...r, score: Number(r.score), created_at: Number(r.created_at) }));
  }
}
