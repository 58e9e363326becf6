import type { ExpressionBuilder, Insertable, Kysely } from 'kysely';
import { deleteInBatches, PURGE_BATCH_SIZE } from './batches.js';
import type { Database } from './schema.js';

/** Single-use resume tickets, each bound to a conversation, a device (fingerprint) and an IP. */
export class ResumeTicketStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(t: Insertable<Database['resume_tickets']>): Promise<void> {
    await this.db.insertInto('resume_tickets').values(t).execute();
  }

  /** The newest unused, unexpired ticket issued to this device (fingerprint) and IP for this conversation. */
  async live(conversationId: number, fingerprintHash: string, ip: string, now: number): Promise<Database['resume_tickets'] | undefined> {
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
  async consume(ticketHash: string, now: number): Promise<Database['resume_tickets'] | undefined> {
    return this.db
      .updateTable('resume_tickets')
      .set({ used_at: now })
      .where('ticket_hash', '=', ticketHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** Deletes used and expired tickets, `batchSize` per statement; answers how many went. */
  async purge(now: number, batchSize = PURGE_BATCH_SIZE): Promise<number> {
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
