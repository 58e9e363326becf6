import { sql, type Kysely } from 'kysely';
import type { Database, MessageRow } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

/** The outcome of appending a message: stored now, stored earlier (same client id), or refused. */
export type AppendResult =
  | { kind: 'created'; row: MessageRow }
  | { kind: 'duplicate'; row: MessageRow }
  | { kind: 'closed' }
  | { kind: 'missing' }
  /** The files would take the conversation past `quotaBytes`: nothing stored; `used` is what its files take now. */
  | { kind: 'over-quota'; used: number };

/** A message to append; `seq` is assigned by the store. */
export interface NewMessage {
  conversationId: number;
  sender: MessageRow['sender'];
  agentId: number | null;
  body: string;
  clientMessageId: string | null;
  now: number;
  /** Visitor and agent messages need an open conversation; system notes do not. */
  requireOpen: boolean;
  /** Files whose bytes are already in the file store: inserted with the message, in its transaction. */
  attachments?: NewAttachment[];
  /** What all of the conversation's files may take, checked under the conversation's lock with `attachments`. */
  quotaBytes?: number;
}

/** One file of a new message (docs/api.md, "Attachments"). */
export interface NewAttachment {
  name: string;
  size: number;
  type: string;
  disk: 'database' | 's3';
  storageKey: string;
}

/** `seq` columns are 32-bit integers: larger inputs are clamped rather than overflowing PostgreSQL's `integer`. */
const MAX_SEQ = 2_147_483_647;
const clampSeq = (n: number): number => Math.min(Math.max(0, Math.trunc(n)), MAX_SEQ);

/** Thrown inside `append`'s transaction to roll the `seq` bump back when the files do not fit. */
class OverQuota extends Error {
  constructor(readonly used: number) {
    super('over quota');
  }
}

/** A conversation's messages in `seq` order, and the read markers that point into them. */
export class MessageLog {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Appends a message with the next `seq`. The counter is bumped and the row inserted in one
   * transaction, so a failed insert rolls the counter back: seq stays gap-free. The row lock on
   * the conversation (PostgreSQL) or the single writer (SQLite) serialises concurrent sends.
   * Attachment rows go in the same transaction; on a duplicate they are not stored (the caller
   * deletes the bytes it put).
   */
  async append(m: NewMessage): Promise<AppendResult> {
    const files = m.attachments ?? [];
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
            attachment_count: files.length,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (files.length > 0 && m.quotaBytes !== undefined) {
          // After the bump: the conversation's row is locked (PostgreSQL), so concurrent uploads count each other.
          const sum = await trx.selectFrom('attachments').select((eb) => eb.fn.sum<number | string | null>('size').as('used')).where('conversation_id', '=', m.conversationId).executeTakeFirst();
          const used = Number(sum?.used ?? 0);
          if (used + files.reduce((n, f) => n + f.size, 0) > m.quotaBytes) throw new OverQuota(used);
        }
        if (files.length > 0) {
          await trx
            .insertInto('attachments')
            .values(files.map((f) => ({ conversation_id: m.conversationId, message_id: row.id, name: f.name, size: f.size, type: f.type, disk: f.disk, storage_key: f.storageKey, created_at: m.now })))
            .execute();
        }
        return { kind: 'created', row };
      });
    } catch (error) {
      if (error instanceof OverQuota) return { kind: 'over-quota', used: error.used };
      // Two sends with one client id raced: the loser's transaction rolled back; answer with the winner's row.
      if (isUniqueViolation(error)) {
        const existing = await this.findByClientId(this.db, m.conversationId, m.clientMessageId);
        if (existing) return { kind: 'duplicate', row: existing };
      }
      throw error;
    }
  }

  /** `db` is the store's connection or the transaction `append` runs in. */
  private async findByClientId(db: Kysely<Database>, conversationId: number, clientMessageId: string | null): Promise<MessageRow | undefined> {
    if (clientMessageId === null) return undefined;
    return db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('client_message_id', '=', clientMessageId)
      .executeTakeFirst();
  }

  /** Messages with `seq` > `after` (and ≥ `fromSeq`), in seq order. */
  async after(conversationId: number, opts: { after: number; limit: number; fromSeq?: number }): Promise<MessageRow[]> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', clampSeq(Math.max(opts.after, (opts.fromSeq ?? 1) - 1)))
      .orderBy('seq', 'asc')
      .limit(opts.limit)
      .execute();
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
}
