import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Transaction } from 'kysely';
import { deleteInBatches, PURGE_BATCH_SIZE } from './batches.js';
import type { ConversationRow, Database, MessageRow, NewConversation } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

/** The outcome of appending a message: stored now, stored earlier (same client id), or refused. */
export type AppendResult =
  | { kind: 'created'; row: MessageRow }
  | { kind: 'duplicate'; row: MessageRow }
  | { kind: 'closed' }
  | { kind: 'missing' };

export interface NewMessage {
  conversationId: number;
  sender: MessageRow['sender'];
  agentId: number | null;
  body: string;
  clientMessageId: string | null;
  now: number;
  /** Visitor and agent messages need an open conversation; system notes do not. */
  requireOpen: boolean;
}

export interface ConversationFilter {
  status?: 'open' | 'closed' | undefined;
  /** `me` is resolved to an agent id by the caller; `none` means unassigned. */
  assignedTo?: number | 'none' | undefined;
  limit: number;
  /** Cursor from the previous page: conversations less recently active than this. */
  before?: { lastActivityAt: number; id: number } | undefined;
}

type Db = Kysely<Database> | Transaction<Database>;

/** `seq` columns are 32-bit integers: larger inputs are clamped rather than overflowing PostgreSQL's `integer`. */
const MAX_SEQ = 2_147_483_647;
const clampSeq = (n: number): number => Math.min(Math.max(0, Math.trunc(n)), MAX_SEQ);

/** Conversations, their messages, visitor tokens and resume tickets: every query the chat needs. */
export class ConversationStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a conversation together with its first visitor token, atomically. */
  async create(values: NewConversation): Promise<ConversationRow> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('conversations').values(values).returningAll().executeTakeFirstOrThrow();
      await this.insertToken(trx, row.id, values.visitor_token_hash, 1, values.created_at);
      return row;
    });
  }

  async get(id: number): Promise<ConversationRow | undefined> {
    return this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The conversation a bearer token opens, and from which `seq` on it may read. */
  async findByToken(id: number, tokenHash: string): Promise<{ conversation: ConversationRow; visibleFromSeq: number } | undefined> {
    const row = await this.db
      .selectFrom('visitor_tokens as t')
      .innerJoin('conversations as c', 'c.id', 't.conversation_id')
      .selectAll('c')
      .select('t.visible_from_seq')
      .where('t.token_hash', '=', tokenHash)
      .where('c.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const { visible_from_seq, ...conversation } = row;
    return { conversation, visibleFromSeq: visible_from_seq };
  }

  async addToken(conversationId: number, tokenHash: string, visibleFromSeq: number, now: number): Promise<void> {
    await this.insertToken(this.db, conversationId, tokenHash, visibleFromSeq, now);
  }

  private async insertToken(db: Db, conversationId: number, tokenHash: string, visibleFromSeq: number, now: number): Promise<void> {
    await db
      .insertInto('visitor_tokens')
      .values({ token_hash: tokenHash, conversation_id: conversationId, visible_from_seq: visibleFromSeq, created_at: now })
      .execute();
  }

  /**
   * Open conversations from one IP and site (`origin`) active since `since`, most recent first
   * (rules 5 and 6). Filtering by origin here keeps other sites' conversations from crowding the
   * limit; `decideLookup` checks the origin again.
   */
  async openFromIp(ip: string, origin: string, since: number, limit = 20): Promise<ConversationRow[]> {
    return this.db
      .selectFrom('conversations')
      .selectAll()
      .where('client_ip', '=', ip)
      .where('origin', '=', origin)
      .where('status', '=', 'open')
      .where('last_activity_at', '>=', since)
      .orderBy('last_activity_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Appends a message with the next `seq`. The counter is bumped and the row inserted in one
   * transaction, so a failed insert rolls the counter back: seq stays gap-free. The row lock on
   * the conversation (PostgreSQL) or the single writer (SQLite) serialises concurrent sends.
   */
  async append(m: NewMessage): Promise<AppendResult> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const existing = await this.findByClientId(trx, m.conversationId, m.clientMessageId);
        if (existing) return { kind: 'duplicate', row: existing };
        let bump = trx
          .updateTable('conversations')
          .set((eb) => ({ last_seq: eb('last_seq', '+', 1), last_activity_at: m.now }))
          .where('id', '=', m.conversationId);
        if (m.requireOpen) bump = bump.where('status', '=', 'open');
        const bumped = await bump.returning('last_seq').executeTakeFirst();
        if (!bumped) {
          const exists = await trx.selectFrom('conversations').select('id').where('id', '=', m.conversationId).executeTakeFirst();
          return { kind: exists ? 'closed' : 'missing' };
        }
        const row = await trx
          .insertInto('messages')
          .values({
            conversation_id: m.conversationId,
            seq: bumped.last_seq,
            sender: m.sender,
            agent_id: m.agentId,
            body: m.body,
            client_message_id: m.clientMessageId,
            created_at: m.now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { kind: 'created', row };
      });
    } catch (error) {
      // Two sends with one client id raced: the loser's transaction rolled back; answer with the winner's row.
      if (isUniqueViolation(error)) {
        const existing = await this.findByClientId(this.db, m.conversationId, m.clientMessageId);
        if (existing) return { kind: 'duplicate', row: existing };
      }
      throw error;
    }
  }

  private async findByClientId(db: Db, conversationId: number, clientMessageId: string | null): Promise<MessageRow | undefined> {
    if (clientMessageId === null) return undefined;
    return db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('client_message_id', '=', clientMessageId)
      .executeTakeFirst();
  }

  /** Messages with `seq` > `after` (and ≥ `fromSeq`), in seq order. */
  async messages(conversationId: number, opts: { after: number; limit: number; fromSeq?: number }): Promise<MessageRow[]> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', clampSeq(Math.max(opts.after, (opts.fromSeq ?? 1) - 1)))
      .orderBy('seq', 'asc')
      .limit(opts.limit)
      .execute();
  }

  async update(
    id: number,
    patch: Partial<Pick<ConversationRow, 'status' | 'closed_at' | 'assigned_agent_id' | 'last_activity_at' | 'visitor_name' | 'visitor_email'>>,
  ): Promise<ConversationRow | undefined> {
    return this.db.updateTable('conversations').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Moves a read marker forward only, never past the last message; answers the new marker. */
  async markRead(id: number, column: 'visitor_read_seq' | 'agent_read_seq', seq: number): Promise<number | undefined> {
    const wanted = clampSeq(seq);
    const capped = sql`(case when cast(${wanted} as integer) < last_seq then cast(${wanted} as integer) else last_seq end)`;
    const row = await this.db
      .updateTable('conversations')
      // greatest(column, least(seq, last_seq)), spelled portably: SQLite has no greatest/least.
      .set({ [column]: sql<number>`case when ${capped} > ${sql.ref(column)} then ${capped} else ${sql.ref(column)} end` })
      .where('id', '=', id)
      .returning(column)
      .executeTakeFirst();
    return row?.[column];
  }

  async insertTicket(t: Insertable<Database['resume_tickets']>): Promise<void> {
    await this.db.insertInto('resume_tickets').values(t).execute();
  }

  /** The newest unused, unexpired ticket issued to this device (fingerprint) and IP for this conversation. */
  async liveTicket(conversationId: number, fingerprintHash: string, ip: string, now: number): Promise<Database['resume_tickets'] | undefined> {
    return this.db
      .selectFrom('resume_tickets')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('fingerprint_hash', '=', fingerprintHash)
      .where('client_ip', '=', ip)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .where('seed', 'is not', null)
      .orderBy('expires_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Marks a ticket used if it is unused and unexpired; answers it, or nothing (single use). */
  async consumeTicket(ticketHash: string, now: number): Promise<Database['resume_tickets'] | undefined> {
    return this.db
      .updateTable('resume_tickets')
      .set({ used_at: now })
      .where('ticket_hash', '=', ticketHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  async list(filter: ConversationFilter): Promise<ConversationRow[]> {
    let q = this.db.selectFrom('conversations').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.assignedTo === 'none') q = q.where('assigned_agent_id', 'is', null);
    else if (filter.assignedTo !== undefined) q = q.where('assigned_agent_id', '=', filter.assignedTo);
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

  /**
   * Deletes closed conversations closed before `closedBefore`, with their messages, at most
   * `batchSize` per statement (see `deleteInBatches`); answers how many went.
   */
  async purgeClosed(closedBefore: number, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    return deleteInBatches(async (limit) => {
      const rows = await this.db.selectFrom('conversations').select('id').where('status', '=', 'closed').where('closed_at', '<', closedBefore).orderBy('id').limit(limit).execute();
      if (rows.length === 0) return { picked: 0, deleted: 0 };
      // The conditions again: a conversation reopened since the select stays.
      const result = await this.db
        .deleteFrom('conversations')
        .where('id', 'in', rows.map((r) => r.id))
        .where('status', '=', 'closed')
        .where('closed_at', '<', closedBefore)
        .executeTakeFirst();
      return { picked: rows.length, deleted: Number(result.numDeletedRows) };
    }, batchSize);
  }

  /** Deletes used and expired resume tickets, `batchSize` per statement; answers how many went. */
  async purgeTickets(now: number, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    const stale = (eb: ExpressionBuilder<Database, 'resume_tickets'>) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]);
    return deleteInBatches(async (limit) => {
      const rows = await this.db.selectFrom('resume_tickets').select('ticket_hash').where(stale).limit(limit).execute();
      if (rows.length === 0) return { picked: 0, deleted: 0 };
      const result = await this.db
        .deleteFrom('resume_tickets')
        .where('ticket_hash', 'in', rows.map((r) => r.ticket_hash))
        .where(stale)
        .executeTakeFirst();
      return { picked: rows.length, deleted: Number(result.numDeletedRows) };
    }, batchSize);
  }
}
