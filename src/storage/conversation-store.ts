import type { Insertable, Kysely } from 'kysely';
import { deleteInBatches, PURGE_BATCH_SIZE } from './batches.js';
import { InboxQueries, type ConversationFilter } from './inbox-queries.js';
import { MessageLog, type AppendResult, type NewMessage } from './message-log.js';
import { ResumeTicketStore } from './resume-ticket-store.js';
import type { ConversationRow, Database, MessageRow, NewConversation } from './schema.js';

export type { AppendResult, NewAttachment, NewMessage } from './message-log.js';
export type { ConversationFilter } from './inbox-queries.js';

/**
 * Conversations, their messages, visitor tokens and resume tickets: every query the chat needs.
 * Messages, tickets and inbox reads live in their own classes; this one facade keeps callers on one port.
 */
export class ConversationStore {
  private readonly log: MessageLog;
  private readonly tickets: ResumeTicketStore;
  private readonly inbox: InboxQueries;

  constructor(private readonly db: Kysely<Database>) {
    this.log = new MessageLog(db);
    this.tickets = new ResumeTicketStore(db);
    this.inbox = new InboxQueries(db);
  }

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

  /** `db` is the store's connection or the transaction `create` runs in. */
  private async insertToken(db: Kysely<Database>, conversationId: number, tokenHash: string, visibleFromSeq: number, now: number): Promise<void> {
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
      // A verified visitor's conversation opens only with that user's identity (docs/identity.md).
      .where('visitor_user_id', 'is', null)
      .orderBy('last_activity_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** The verified user's most recently active open conversation active since `since`, from any device. */
  async newestOpenForUser(userId: string, since: number): Promise<ConversationRow | undefined> {
    return this.db
      .selectFrom('conversations')
      .selectAll()
      .where('visitor_user_id', '=', userId)
      .where('status', '=', 'open')
      .where('last_activity_at', '>=', since)
      .orderBy('last_activity_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  async update(
    id: number,
    patch: Partial<Pick<ConversationRow, 'status' | 'closed_at' | 'assigned_agent_id' | 'last_activity_at' | 'visitor_name' | 'visitor_email'>>,
  ): Promise<ConversationRow | undefined> {
    return this.db.updateTable('conversations').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Appends a message with the next gap-free `seq` (see `MessageLog.append`). */
  append(m: NewMessage): Promise<AppendResult> {
    return this.log.append(m);
  }

  /** Messages with `seq` > `after` (and ≥ `fromSeq`), in seq order. */
  messages(conversationId: number, opts: { after: number; limit: number; fromSeq?: number }): Promise<MessageRow[]> {
    return this.log.after(conversationId, opts);
  }

  /** Moves a read marker forward only, never past the last message; answers the new marker. */
  markRead(id: number, column: 'visitor_read_seq' | 'agent_read_seq', seq: number): Promise<number | undefined> {
    return this.log.markRead(id, column, seq);
  }

  insertTicket(t: Insertable<Database['resume_tickets']>): Promise<void> {
    return this.tickets.insert(t);
  }

  /** The newest unused, unexpired ticket issued to this device (fingerprint) and IP for this conversation. */
  liveTicket(conversationId: number, fingerprintHash: string, ip: string, now: number): Promise<Database['resume_tickets'] | undefined> {
    return this.tickets.live(conversationId, fingerprintHash, ip, now);
  }

  /** Marks a ticket used if it is unused and unexpired; answers it, or nothing (single use). */
  consumeTicket(ticketHash: string, now: number): Promise<Database['resume_tickets'] | undefined> {
    return this.tickets.consume(ticketHash, now);
  }

  list(filter: ConversationFilter): Promise<ConversationRow[]> {
    return this.inbox.list(filter);
  }

  /** The newest message of each conversation. */
  lastMessages(ids: number[]): Promise<Map<number, MessageRow>> {
    return this.inbox.lastMessages(ids);
  }

  /** Visitor messages agents have not read yet, per conversation. */
  unreadByAgents(ids: number[]): Promise<Map<number, number>> {
    return this.inbox.unreadByAgents(ids);
  }

  /** Conversations started earlier from the same device (same keyed fingerprint), newest first. */
  earlierFromDevice(fingerprintHash: string, beforeId: number, limit: number): Promise<ConversationRow[]> {
    return this.inbox.earlierFromDevice(fingerprintHash, beforeId, limit);
  }

  countOpen(): Promise<number> {
    return this.inbox.countOpen();
  }

  /**
   * Deletes closed conversations closed before `closedBefore`, with their messages, at most
   * `batchSize` per statement (see `deleteInBatches`); answers how many went. `beforeDelete` gets
   * each batch's ids first (their files are deleted while the rows still say where they are).
   */
  async purgeClosed(closedBefore: number, batchSize = PURGE_BATCH_SIZE, beforeDelete?: (ids: number[]) => Promise<void>): Promise<number> {
    return deleteInBatches(async (limit) => {
      const rows = await this.db.selectFrom('conversations').select('id').where('status', '=', 'closed').where('closed_at', '<', closedBefore).orderBy('id').limit(limit).execute();
      if (rows.length === 0) return { picked: 0, deleted: 0 };
      await beforeDelete?.(rows.map((r) => r.id));
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
  purgeTickets(now: number, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    return this.tickets.purge(now, batchSize);
  }
}
