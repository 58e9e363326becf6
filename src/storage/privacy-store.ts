import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Whose data: a visitor's email (any case), one conversation, or a verified user id (docs/privacy.md). */
export type PrivacySelector = { kind: 'email'; email: string } | { kind: 'conversation'; id: number } | { kind: 'user'; userId: string };

/** The conversations a selector finds, and every address (lower-cased) those conversations and the selector name. */
export interface VisitorScope {
  conversationIds: number[];
  emails: string[];
}

/** What an erasure deleted, and the audit row it leaves (docs/privacy.md, "Audit"). */
export interface ErasureCounts {
  conversations: number;
  messages: number;
  files: number;
}

export interface AuditEntry extends ErasureCounts {
  action: 'export' | 'erase';
  selector_kind: PrivacySelector['kind'];
  subject_hash: string;
  actor: string;
  created_at: number;
}

type Row = Record<string, unknown>;
const CHUNK = 200;

/**
 * Every row about one visitor, found and deleted by conversation ids and email addresses: what
 * `parley visitor:export` and `visitor:erase` read and remove (docs/privacy.md).
 */
export class PrivacyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async scope(selector: PrivacySelector): Promise<VisitorScope> {
    let query = this.db.selectFrom('conversations').select(['id', 'visitor_email']);
    if (selector.kind === 'conversation') query = query.where('id', '=', selector.id);
    else if (selector.kind === 'email') query = query.where(sql`lower(visitor_email)`, '=', selector.email.toLowerCase());
    else query = query.where('visitor_user_id', '=', selector.userId);
    const rows = await query.orderBy('id').execute();
    const emails = new Set(rows.flatMap((r) => (r.visitor_email ? [r.visitor_email.toLowerCase()] : [])));
    if (selector.kind === 'email') emails.add(selector.email.toLowerCase());
    return { conversationIds: rows.map((r) => r.id), emails: [...emails] };
  }

  /** Every row about the visitor, by table; token and ticket hashes are left out (they are keys, not data about anyone). */
  async collect(scope: VisitorScope): Promise<Record<string, Row[]>> {
    const ids = scope.conversationIds;
    const byIds = async <T>(read: (chunk: number[]) => Promise<T[]>): Promise<T[]> => {
      const out: T[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await read(ids.slice(i, i + CHUNK))));
      return out;
    };
    const db = this.db;
    const noteIds = (await byIds((c) => db.selectFrom('notes').select('id').where('conversation_id', 'in', c).execute())).map((n) => n.id);
    return {
      conversations: (await byIds((c) => db.selectFrom('conversations').selectAll().where('id', 'in', c).orderBy('id').execute())).map(({ visitor_token_hash: _hash, ...row }) => row),
      messages: await byIds((c) => db.selectFrom('messages').selectAll().where('conversation_id', 'in', c).orderBy('conversation_id').orderBy('seq').execute()),
      attachments: await byIds((c) => db.selectFrom('attachments').selectAll().where('conversation_id', 'in', c).orderBy('id').execute()),
      notes: await byIds((c) => db.selectFrom('notes').selectAll().where('conversation_id', 'in', c).orderBy('id').execute()),
      ratings: await byIds((c) => db.selectFrom('conversation_ratings').selectAll().where('conversation_id', 'in', c).execute()),
      labels: await byIds((c) =>
        db.selectFrom('conversation_labels as cl').innerJoin('labels as l', 'l.id', 'cl.label_id').select(['cl.conversation_id', 'l.name']).where('cl.conversation_id', 'in', c).execute(),
      ),
      visitor_tokens: await byIds((c) => db.selectFrom('visitor_tokens').select(['conversation_id', 'visible_from_seq', 'created_at']).where('conversation_id', 'in', c).execute()),
      resume_tickets: await byIds((c) =>
        db.selectFrom('resume_tickets').select(['conversation_id', 'fingerprint_hash', 'client_ip', 'expires_at', 'used_at']).where('conversation_id', 'in', c).execute(),
      ),
      conversation_links: await byIds((c) => db.selectFrom('conversation_links').select(['conversation_id', 'created_at', 'expires_at', 'used_at']).where('conversation_id', 'in', c).execute()),
      webhook_deliveries: await byIds((c) =>
        db.selectFrom('webhook_deliveries').select(['id', 'webhook_id', 'event', 'conversation_id', 'payload', 'status', 'created_at', 'delivered_at']).where('conversation_id', 'in', c).execute(),
      ),
      email_queue: await this.emailRows(db, scope, noteIds),
      email_suppressions: scope.emails.length === 0 ? [] : await db.selectFrom('email_suppressions').selectAll().where(sql`lower(email)`, 'in', scope.emails).execute(),
    };
  }

  /**
   * Deletes every row about the visitor in one transaction and records `audit` in it. The caller
   * deletes the files first (`FilePurge.conversations`), while the rows still say where they are.
   */
  async erase(scope: VisitorScope, audit: Omit<AuditEntry, 'conversations' | 'messages'>): Promise<ErasureCounts> {
    return this.db.transaction().execute(async (trx) => {
      const ids = scope.conversationIds;
      let messages = 0;
      const noteIds: number[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const c = ids.slice(i, i + CHUNK);
        noteIds.push(...(await trx.selectFrom('notes').select('id').where('conversation_id', 'in', c).execute()).map((n) => n.id));
      }
      await this.deleteEmails(trx, scope, noteIds);
      if (scope.emails.length > 0) await trx.deleteFrom('email_suppressions').where(sql`lower(email)`, 'in', scope.emails).execute();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const c = ids.slice(i, i + CHUNK);
        await trx.deleteFrom('attachments').where('conversation_id', 'in', c).execute();
        messages += Number((await trx.deleteFrom('messages').where('conversation_id', 'in', c).executeTakeFirst()).numDeletedRows);
        for (const table of ['notes', 'conversation_labels', 'conversation_ratings', 'conversation_links', 'visitor_tokens', 'resume_tickets', 'webhook_deliveries'] as const) {
          await trx.deleteFrom(table).where('conversation_id', 'in', c).execute();
        }
        await trx.deleteFrom('conversations').where('id', 'in', c).execute();
      }
      const counts = { conversations: ids.length, messages, files: audit.files };
      await trx.insertInto('privacy_audit').values({ ...audit, ...counts }).execute();
      return counts;
    });
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.db.insertInto('privacy_audit').values(entry).execute();
  }

  /** Emails to the visitor's addresses, and those about their conversations and notes (to agents: they name the visitor). */
  private async emailRows(db: Kysely<Database>, scope: VisitorScope, noteIds: number[]): Promise<Row[]> {
    const rows: Row[] = [];
    for (const where of this.emailConditions(scope, noteIds)) {
      rows.push(...(await db.selectFrom('email_queue').select(['id', 'kind', 'recipient', 'subject', 'text_body', 'status', 'created_at', 'sent_at']).where(where).execute()));
    }
    const seen = new Set<unknown>();
    return rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
  }

  private async deleteEmails(trx: Transaction<Database>, scope: VisitorScope, noteIds: number[]): Promise<void> {
    for (const where of this.emailConditions(scope, noteIds)) await trx.deleteFrom('email_queue').where(where).execute();
  }

  /** Conditions on `email_queue`, each small enough for one statement. */
  private emailConditions(scope: VisitorScope, noteIds: number[]) {
    const prefixes = [
      ...scope.conversationIds.flatMap((id) => ['follow-up', 'unanswered', 'transcript-closed', 'new-conversation'].map((kind) => `${kind}:${id}:`)),
      ...noteIds.map((id) => `mention:${id}:`),
    ];
    const conditions = [];
    if (scope.emails.length > 0) conditions.push(sql<boolean>`lower(recipient) in (${sql.join(scope.emails)})`);
    for (let i = 0; i < prefixes.length; i += CHUNK) {
      const chunk = prefixes.slice(i, i + CHUNK);
      // Prefixes are built from integers above: no LIKE wildcard can come from input.
      conditions.push(sql<boolean>`(${sql.join(chunk.map((p) => sql`dedupe_key like ${`${p}%`}`), sql` or `)})`);
    }
    return conditions;
  }
}
