import type { Kysely } from 'kysely';
import type { ConversationRow, Database, MessageRow } from './schema.js';

/** Which conversations an inbox page shows. */
export interface ConversationFilter {
  status?: 'open' | 'closed' | undefined;
  /** `me` is resolved to an agent id by the caller; `none` means unassigned. */
  assignedTo?: number | 'none' | undefined;
  limit: number;
  /** Cursor from the previous page: conversations less recently active than this. */
  before?: { lastActivityAt: number; id: number } | undefined;
  /** Only conversations carrying the label of this name (compared case-insensitively). */
  label?: string | undefined;
}

/** Reads across conversations: the agents' inbox pages, what each row shows, and the open count for metrics. */
export class InboxQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async list(filter: ConversationFilter): Promise<ConversationRow[]> {
    let q = this.db.selectFrom('conversations').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.assignedTo === 'none') q = q.where('assigned_agent_id', 'is', null);
    else if (filter.assignedTo !== undefined) q = q.where('assigned_agent_id', '=', filter.assignedTo);
    const label = filter.label;
    if (label !== undefined) {
      q = q.where('id', 'in', (eb) =>
        eb
          .selectFrom('conversation_labels as cl')
          .innerJoin('labels as l', 'l.id', 'cl.label_id')
          .select('cl.conversation_id')
          .where((w) => w(w.fn('lower', ['l.name']), '=', label.toLowerCase())),
      );
    }
    const before = filter.before;
    if (before) {
      q = q.where((eb) =>
        eb.or([
          eb('last_activity_at', '<', before.lastActivityAt),
          eb.and([eb('last_activity_at', '=', before.lastActivityAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    return q.orderBy('last_activity_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  }

  /** The newest message of each conversation. */
  async lastMessages(ids: number[]): Promise<Map<number, MessageRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', (j) => j.onRef('c.id', '=', 'm.conversation_id').onRef('c.last_seq', '=', 'm.seq'))
      .selectAll('m')
      .where('c.id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.conversation_id, r]));
  }

  /** Visitor messages agents have not read yet, per conversation. */
  async unreadByAgents(ids: number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['m.conversation_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('c.id', 'in', ids)
      .where('m.sender', '=', 'visitor')
      .whereRef('m.seq', '>', 'c.agent_read_seq')
      .groupBy('m.conversation_id')
      .execute();
    return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
  }

  /** Conversations started earlier from the same device (same keyed fingerprint), newest first. */
  async earlierFromDevice(fingerprintHash: string, beforeId: number, limit: number): Promise<ConversationRow[]> {
    return this.db
      .selectFrom('conversations')
      .selectAll()
      .where('client_fingerprint', '=', fingerprintHash)
      .where('id', '<', beforeId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  async countOpen(): Promise<number> {
    const row = await this.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
