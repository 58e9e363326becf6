import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Engine } from './engine.js';
import type { Database, EmailQueueTable } from './schema.js';

export type EmailRow = Selectable<EmailQueueTable>;

/** An email to queue, already rendered (docs/email.md, "Templates"). */
export interface NewEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What it is (`follow-up`, `new-conversation`…): for logs and counts. */
  kind: string;
  /** The same key is queued once: a second enqueue with it is a no-op that answers `duplicate`. */
  dedupeKey?: string;
  /** Epoch ms before which it is not sent (default: now). */
  sendAfter?: number;
}

/** What `enqueue` did: queued with this id, or found the dedupe key already queued. */
export type EnqueueOutcome = { status: 'queued'; id: number } | { status: 'duplicate' };

/** Counts per status, for tests, metrics and `/up`-style checks. */
export type QueueCounts = Record<EmailRow['status'], number>;

/** Queues one email on `db`, the store's connection or a caller's transaction (a follow-up's claim); a known dedupe key is a no-op. */
export async function insertEmail(db: Kysely<Database>, email: NewEmail, now: number): Promise<EnqueueOutcome> {
  const row = await db
    .insertInto('email_queue')
    .values({
      kind: email.kind,
      recipient: email.to,
      subject: email.subject,
      text_body: email.text,
      html_body: email.html,
      dedupe_key: email.dedupeKey ?? null,
      send_after: email.sendAfter ?? now,
      created_at: now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? { status: 'queued', id: Number(row.id) } : { status: 'duplicate' };
}

/**
 * The durable email queue (docs/email.md, "Delivery guarantees"). A node claims due rows with a
 * lease; the claim is one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional
 * UPDATE on SQLite, which has a single writer), so two nodes never hold the same row.
 */
export class EmailQueueStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  enqueue(email: NewEmail, now: number): Promise<EnqueueOutcome> {
    return insertEmail(this.db, email, now);
  }

  /** Claims up to `limit` due rows for `node` until `now + leaseMs`, counting an attempt on each. */
  async claimDue(node: string, now: number, leaseMs: number, limit: number): Promise<EmailRow[]> {
    const pg = this.engine === 'pgsql';
    const rows = await this.db
      // Chosen once, in a CTE: PostgreSQL may rescan an `IN (… LIMIT n FOR UPDATE SKIP LOCKED)`
      // subquery and claim more than `limit` rows.
      .with(
        (cte) => (pg ? cte('due').materialized() : cte('due')),
        (db) => {
          const due = db
            .selectFrom('email_queue')
            .select('id')
            .where('status', '=', 'pending')
            .where('send_after', '<=', now)
            .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
            .orderBy('send_after')
            .orderBy('id')
            .limit(limit);
          return pg ? due.forUpdate().skipLocked() : due;
        },
      )
      .updateTable('email_queue')
      .set((eb) => ({ claimed_by: node, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      // Re-checked on the row itself: on SQLite the choice and the update are one statement anyway.
      .where('status', '=', 'pending')
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.send_after - b.send_after || a.id - b.id);
  }

  /** Marks a claimed row sent; false when the claim was lost (the lease expired and another node took it). */
  async markSent(id: number, node: string, now: number): Promise<boolean> {
    return this.settle(id, node, { status: 'sent' as const, sent_at: now, lease_until: null, last_error: null });
  }

  /** Puts a claimed row back for another attempt at `retryAt`. */
  async markRetry(id: number, node: string, retryAt: number, error: string): Promise<boolean> {
    return this.settle(id, node, { send_after: retryAt, claimed_by: null, lease_until: null, last_error: error });
  }

  /** Gives up on a claimed row: `failed` after its last attempt, `suppressed` when the address unsubscribed. */
  async markDone(id: number, node: string, status: 'failed' | 'suppressed', error: string | null): Promise<boolean> {
    return this.settle(id, node, { status, lease_until: null, last_error: error });
  }

  async get(id: number): Promise<EmailRow | undefined> {
    return this.db.selectFrom('email_queue').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async counts(): Promise<QueueCounts> {
    const rows = await this.db.selectFrom('email_queue').select(['status', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute();
    const counts: QueueCounts = { pending: 0, sent: 0, failed: 0, suppressed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  private async settle(id: number, node: string, set: Omit<Updateable<EmailQueueTable>, 'id' | 'attempts'>): Promise<boolean> {
    const result = await this.db.updateTable('email_queue').set(set).where('id', '=', id).where('claimed_by', '=', node).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
