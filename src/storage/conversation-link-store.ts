import type { Kysely } from 'kysely';
import { deleteInBatches, PURGE_BATCH_SIZE } from './batches.js';
import type { ConversationLinksTable, Database } from './schema.js';

/** The single-use links of follow-up emails (docs/email.md, "Follow-up links"); written by the reminder sweep's claim. */
export class ConversationLinkStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Marks a link used if it is unused and unexpired, and answers it; nothing otherwise (single use). */
  async consume(tokenHash: string, now: number): Promise<ConversationLinksTable | undefined> {
    return this.db
      .updateTable('conversation_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** Deletes used and expired links, `batchSize` per statement; answers how many went. */
  async purge(now: number, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    return deleteInBatches(async (limit) => {
      const rows = await this.db
        .selectFrom('conversation_links')
        .select('token_hash')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
        .limit(limit)
        .execute();
      if (rows.length === 0) return { picked: 0, deleted: 0 };
      const result = await this.db
        .deleteFrom('conversation_links')
        .where('token_hash', 'in', rows.map((r) => r.token_hash))
        .executeTakeFirst();
      return { picked: rows.length, deleted: Number(result.numDeletedRows) };
    }, batchSize);
  }
}
