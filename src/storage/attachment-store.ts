import { sql, type Kysely } from 'kysely';
import type { AttachmentRow, Database } from './schema.js';

/** Ids one `in (…)` list names at most: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ID_BATCH = 500;

/**
 * The attachments' rows (docs/api.md, "Attachments"): files of messages, what a conversation
 * uses of its quota, and the keys the purge deletes. Rows are inserted with their message by
 * `MessageLog.append`; the bytes are in a `FileStore`.
 */
export class AttachmentStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The files of each message, in the order they were stored; messages without files are absent. */
  async ofMessages(messageIds: readonly number[]): Promise<Map<number, AttachmentRow[]>> {
    const found = new Map<number, AttachmentRow[]>();
    for (let start = 0; start < messageIds.length; start += ID_BATCH) {
      const rows = await this.db
        .selectFrom('attachments')
        .selectAll()
        .where('message_id', 'in', messageIds.slice(start, start + ID_BATCH))
        .orderBy('id')
        .execute();
      for (const row of rows) found.set(row.message_id, [...(found.get(row.message_id) ?? []), row]);
    }
    return found;
  }

  async get(id: number): Promise<AttachmentRow | undefined> {
    return this.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Bytes the conversation's files take, counted against `CHAT_ATTACHMENT_CONVERSATION_MAX_MB`. */
  async bytesUsed(conversationId: number): Promise<number> {
    const row = await this.db
      .selectFrom('attachments')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('size'), sql<number>`0`).as('used'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return Number(row?.used ?? 0);
  }

  /** Whether the conversation already has a message with this client id (a retried upload). */
  async hasClientMessage(conversationId: number, clientMessageId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .where('client_message_id', '=', clientMessageId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Where the files of these conversations are: what the purge deletes before the rows go. */
  async keysOfConversations(conversationIds: readonly number[]): Promise<{ disk: AttachmentRow['disk']; key: string }[]> {
    const keys: { disk: AttachmentRow['disk']; key: string }[] = [];
    for (let start = 0; start < conversationIds.length; start += ID_BATCH) {
      const rows = await this.db
        .selectFrom('attachments')
        .select(['disk', 'storage_key'])
        .where('conversation_id', 'in', conversationIds.slice(start, start + ID_BATCH))
        .execute();
      for (const row of rows) keys.push({ disk: row.disk, key: row.storage_key });
    }
    return keys;
  }

  /**
   * Keys of `attachment_blobs` stored before `before` that no attachment row points at: bytes put
   * for an upload that never became a message (a crash between the put and the commit).
   */
  async orphanBlobKeys(before: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('attachment_blobs as b')
      .select('b.key')
      .where('b.created_at', '<', before)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('attachments as a').select('a.id').whereRef('a.storage_key', '=', 'b.key'))))
      .orderBy('b.created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.key);
  }
}
