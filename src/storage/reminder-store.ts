import { sql, type Kysely } from 'kysely';
import { insertEmail, type NewEmail } from './email-queue-store.js';
import type { Database } from './schema.js';

/** A conversation whose agent replies the visitor has not read: `afterSeq` is what the last follow-up (or read marker) covered. */
export interface DueFollowUp {
  conversationId: number;
  /** The `followup_seq` the claim expects (compare-and-set). */
  followupSeq: number;
  /** Replies after this `seq` are the unread ones: the larger of `followup_seq` and `visitor_read_seq`. */
  afterSeq: number;
}

/** An open conversation whose visitor messages after the last agent reply nobody answered. */
export interface DueUnanswered {
  conversationId: number;
  /** The `unanswered_seq` the claim expects. */
  unansweredSeq: number;
  /** The newest unanswered visitor message. */
  lastVisitorSeq: number;
  assignedAgentId: number | null;
  /** When the oldest unanswered visitor message was sent (epoch ms). */
  waitingSince: number;
}

/** What one claim writes with it: the link of a follow-up, and the emails, all or nothing. */
export interface ClaimWrites {
  link?: { tokenHash: string; expiresAt: number };
  emails: NewEmail[];
}

/**
 * The follow-up and "unanswered" reminders (docs/email.md, "What is sent when"), found by a sweep
 * over recent conversations instead of rows written on every message, so sending a message costs
 * nothing more. A claim advances `followup_seq` / `unanswered_seq` from the value the sweep read
 * (compare-and-set) in the transaction that queues the emails: of several nodes, one wins, and a
 * crash leaves either both or neither.
 */
export class ReminderStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Conversations with an email whose first unread agent reply is at least `delayMs` old; only those active since `since`. */
  async dueFollowUps(now: number, delayMs: number, since: number, limit: number): Promise<DueFollowUp[]> {
    const rows = await this.db
      .selectFrom('conversations as c')
      .innerJoin('messages as m', 'm.conversation_id', 'c.id')
      .select(['c.id', 'c.followup_seq', 'c.visitor_read_seq'])
      .where('c.status', 'in', ['open', 'closed'])
      .where('c.last_activity_at', '>=', since)
      .where('c.visitor_email', 'is not', null)
      .where('c.visitor_email', '<>', '')
      .whereRef('c.last_seq', '>', 'c.followup_seq')
      .whereRef('c.last_seq', '>', 'c.visitor_read_seq')
      .where('m.sender', '=', 'agent')
      .whereRef('m.seq', '>', 'c.followup_seq')
      .whereRef('m.seq', '>', 'c.visitor_read_seq')
      .groupBy(['c.id', 'c.followup_seq', 'c.visitor_read_seq'])
      .having((eb) => eb.fn.min('m.created_at'), '<=', now - delayMs)
      .orderBy('c.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ conversationId: Number(r.id), followupSeq: r.followup_seq, afterSeq: Math.max(r.followup_seq, r.visitor_read_seq) }));
  }

  /** Open conversations whose oldest visitor message after the last agent reply (and after the last reminder) is at least `delayMs` old. */
  async dueUnanswered(now: number, delayMs: number, since: number, limit: number): Promise<DueUnanswered[]> {
    const rows = await this.db
      .selectFrom('conversations as c')
      .innerJoin('messages as m', 'm.conversation_id', 'c.id')
      .select(['c.id', 'c.unanswered_seq', 'c.assigned_agent_id'])
      .select((eb) => [eb.fn.max('m.seq').as('last_visitor_seq'), eb.fn.min('m.created_at').as('waiting_since')])
      .where('c.status', '=', 'open')
      .where('c.last_activity_at', '>=', since)
      .whereRef('c.last_seq', '>', 'c.unanswered_seq')
      .where('m.sender', '=', 'visitor')
      .whereRef('m.seq', '>', 'c.unanswered_seq')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('messages as a').select(sql`1`.as('one')).whereRef('a.conversation_id', '=', 'c.id').where('a.sender', '=', 'agent').whereRef('a.seq', '>', 'm.seq'))),
      )
      .groupBy(['c.id', 'c.unanswered_seq', 'c.assigned_agent_id'])
      .having((eb) => eb.fn.min('m.created_at'), '<=', now - delayMs)
      .orderBy('c.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      conversationId: Number(r.id),
      unansweredSeq: r.unanswered_seq,
      lastVisitorSeq: Number(r.last_visitor_seq),
      assignedAgentId: r.assigned_agent_id === null ? null : Number(r.assigned_agent_id),
      waitingSince: Number(r.waiting_since),
    }));
  }

  /** Advances `followup_seq` from `expected` to `upTo` and stores the link and emails; false when another node got there first. */
  claimFollowUp(conversationId: number, expected: number, upTo: number, writes: ClaimWrites, now: number): Promise<boolean> {
    return this.claim('followup_seq', conversationId, expected, upTo, writes, now);
  }

  /** Advances `unanswered_seq` from `expected` to `upTo` and queues the emails; false when another node got there first. */
  claimUnanswered(conversationId: number, expected: number, upTo: number, writes: ClaimWrites, now: number): Promise<boolean> {
    return this.claim('unanswered_seq', conversationId, expected, upTo, writes, now);
  }

  private claim(column: 'followup_seq' | 'unanswered_seq', conversationId: number, expected: number, upTo: number, writes: ClaimWrites, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('conversations').set(column, upTo).where('id', '=', conversationId).where(column, '=', expected).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      if (writes.link) {
        await trx
          .insertInto('conversation_links')
          .values({ token_hash: writes.link.tokenHash, conversation_id: conversationId, created_at: now, expires_at: writes.link.expiresAt, used_at: null })
          .execute();
      }
      for (const email of writes.emails) await insertEmail(trx, email, now);
      return true;
    });
  }
}
