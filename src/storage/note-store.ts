import type { Kysely, Selectable } from 'kysely';
import type { Database, NotesTable } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

export type NoteRow = Selectable<NotesTable>;

/** A note to store; `after_seq` is taken by the store from the conversation. */
export interface NewNote {
  conversationId: number;
  agentId: number;
  body: string;
  clientMessageId: string | null;
  now: number;
}

/** Stored now, stored earlier under the same client id, or no such conversation. */
export type AddNoteResult = { kind: 'created'; row: NoteRow } | { kind: 'duplicate'; row: NoteRow } | { kind: 'missing' };

/**
 * Internal notes (docs/api.md, "Internal notes"): their own table, never `messages`, so the
 * visitor's `seq` stays gap-free. A note is placed among the messages by `after_seq`.
 */
export class NoteStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a note after the conversation's current last message; the same client id again answers the stored note. */
  async add(n: NewNote): Promise<AddNoteResult> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const existing = await this.findByClientId(trx, n.conversationId, n.clientMessageId);
        if (existing) return { kind: 'duplicate', row: existing };
        const conversation = await trx.selectFrom('conversations').select('last_seq').where('id', '=', n.conversationId).executeTakeFirst();
        if (!conversation) return { kind: 'missing' };
        const row = await trx
          .insertInto('notes')
          .values({ conversation_id: n.conversationId, agent_id: n.agentId, body: n.body, client_message_id: n.clientMessageId, after_seq: conversation.last_seq, created_at: n.now })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { kind: 'created', row };
      });
    } catch (error) {
      // Two writes with one client id raced: the loser answers with the winner's note.
      if (isUniqueViolation(error)) {
        const existing = await this.findByClientId(this.db, n.conversationId, n.clientMessageId);
        if (existing) return { kind: 'duplicate', row: existing };
      }
      throw error;
    }
  }

  /** Every note of a conversation in transcript order: by `after_seq`, then by time. */
  async list(conversationId: number): Promise<NoteRow[]> {
    return this.db.selectFrom('notes').selectAll().where('conversation_id', '=', conversationId).orderBy('after_seq').orderBy('created_at').orderBy('id').execute();
  }

  private async findByClientId(db: Kysely<Database>, conversationId: number, clientMessageId: string | null): Promise<NoteRow | undefined> {
    if (clientMessageId === null) return undefined;
    return db.selectFrom('notes').selectAll().where('conversation_id', '=', conversationId).where('client_message_id', '=', clientMessageId).executeTakeFirst();
  }
}
