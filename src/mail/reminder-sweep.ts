import type { Logger } from 'pino';
import { CONVERSATION_LINK, randomToken, type Hasher } from '../security/hashing.js';
import type { AgentStore } from '../storage/agent-store.js';
import type { AttachmentStore } from '../storage/attachment-store.js';
import type { ConversationStore } from '../storage/conversation-store.js';
import type { DueFollowUp, DueUnanswered, ReminderStore } from '../storage/reminder-store.js';
import type { AgentRow, ConversationRow } from '../storage/schema.js';
import type { Clock } from '../time/clock.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import { withAttachments } from './attachment-lines.js';
import { followUpEmail } from './follow-up-email.js';
import type { MailOutbox } from './mail-outbox.js';
import { unansweredEmail } from './unanswered-email.js';

export interface ReminderOptions {
  /** `CHAT_FOLLOWUP_DELAY_SECONDS` in ms; 0: no follow-ups. */
  followUpDelayMs: number;
  /** `CHAT_UNANSWERED_DELAY_SECONDS` in ms; 0: no "unanswered" emails. */
  unansweredDelayMs: number;
  /** How long a follow-up's link opens its conversation. */
  linkTtlMs: number;
  /** Conversations quiet for longer than this are not looked at (bounds each sweep). */
  horizonMs: number;
  /** Conversations handled per query. */
  batchSize: number;
  /** How often the sweep runs. */
  sweepMs: number;
}

export const LINK_TTL_MS = 7 * 86_400_000;

/** A sweep every quarter of the shorter delay, between 250 ms and 15 s: an email goes at most that late. */
export function sweepInterval(followUpDelayMs: number, unansweredDelayMs: number): number {
  const delays = [followUpDelayMs, unansweredDelayMs].filter((d) => d > 0);
  return delays.length === 0 ? 15_000 : Math.min(15_000, Math.max(250, Math.floor(Math.min(...delays) / 4)));
}

/** Where a follow-up's link opens the chat: the conversation's page on one of the sites (docs/email.md, "Follow-up links"), else Parley's own page. */
export function linkTarget(c: Pick<ConversationRow, 'page_url' | 'origin'>, sites: { allowedOrigins: '*' | string[]; appUrl: string }): string {
  const appOrigin = new URL(sites.appUrl).origin;
  const trusted = c.origin !== null && (sites.allowedOrigins === '*' ? c.origin === appOrigin : sites.allowedOrigins.includes(c.origin));
  if (trusted && c.page_url !== null) {
    try {
      const page = new URL(c.page_url);
      if (page.origin === c.origin && page.username === '' && page.password === '') {
        page.hash = '';
        return page.toString();
      }
    } catch {
      // Not a URL: the site's root below.
    }
  }
  return trusted && c.origin !== null ? `${c.origin}/` : `${new URL(sites.appUrl).origin}/`;
}

/**
 * Emails nobody asked for but everyone needs (docs/email.md, "What is sent when"): the visitor's
 * follow-up with the agents' unread replies, and the agents' reminder of a conversation left
 * unanswered. Every node sweeps; the store's compare-and-set claim makes each email one node's.
 */
export class ReminderSweep {
  private timer: TimerHandle | undefined;
  /** Sweeps run one after another; the timer skips a turn while one is queued or running. */
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly deps: {
      reminders: ReminderStore;
      conversations: Pick<ConversationStore, 'get' | 'messages'>;
      agents: Pick<AgentStore, 'list'>;
      /** Names and sizes of the files replies carry (the emails list them). */
      attachments: Pick<AttachmentStore, 'ofMessages'>;
      outbox: Pick<MailOutbox, 'prepare' | 'wake'>;
      hasher: Hasher;
      clock: Clock;
      timers: Timers;
      logger: Logger;
      sites: { allowedOrigins: '*' | string[]; appUrl: string };
      options: ReminderOptions;
    },
  ) {}

  start(): void {
    const { followUpDelayMs, unansweredDelayMs, sweepMs } = this.deps.options;
    if (followUpDelayMs === 0 && unansweredDelayMs === 0) return;
    this.timer ??= this.deps.timers.setInterval(() => {
      if (this.pending === 0) this.runOnce().catch((error: unknown) => this.deps.logger.error({ err: error }, 'reminder sweep failed'));
    }, sweepMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) this.deps.timers.clearInterval(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  /** One sweep at the clock's time when it starts (after any sweep in progress); resolves once its emails are queued. */
  runOnce(): Promise<void> {
    this.pending += 1;
    const run = this.chain.then(() => this.sweep()).finally(() => {
      this.pending -= 1;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async sweep(): Promise<void> {
    const { reminders, clock, options } = this.deps;
    const now = clock.now();
    const since = now - options.horizonMs;
    let queued = false;
    // One read of the team per sweep: reply authors' names and the reminders' recipients.
    const agents = await this.deps.agents.list();
    if (options.followUpDelayMs > 0) {
      const names = new Map(agents.map((a) => [a.id, a.name]));
      for (const due of await reminders.dueFollowUps(now, options.followUpDelayMs, since, options.batchSize)) queued = (await this.followUp(due, names, now)) || queued;
    }
    if (options.unansweredDelayMs > 0) {
      for (const due of await reminders.dueUnanswered(now, options.unansweredDelayMs, since, options.batchSize)) queued = (await this.unanswered(due, agents, now)) || queued;
    }
    if (queued) this.deps.outbox.wake();
  }

  /** One follow-up for every reply after `afterSeq`; answers whether an email was queued. */
  private async followUp(due: DueFollowUp, names: Map<number, string>, now: number): Promise<boolean> {
    const { conversations, reminders, hasher, outbox, options } = this.deps;
    const c = await conversations.get(due.conversationId);
    const rows = await conversations.messages(due.conversationId, { after: due.afterSeq, limit: 100 });
    const replies = rows.filter((m) => m.sender === 'agent');
    const upTo = replies.at(-1)?.seq;
    if (c === undefined || upTo === undefined || c.visitor_email === null) return false;
    const files = await this.deps.attachments.ofMessages(replies.filter((m) => m.attachment_count > 0).map((m) => m.id));
    const token = randomToken();
    const expiresAt = now + options.linkTtlMs;
    const email = await outbox.prepare({
      to: c.visitor_email,
      kind: 'follow-up',
      dedupeKey: `follow-up:${c.id}:${upTo}`,
      draft: followUpEmail({
        conversationId: c.id,
        visitorName: c.visitor_name,
        replies: replies.map((m) => ({
          author: (m.agent_id !== null ? names.get(m.agent_id) : undefined) ?? 'Support',
          sentAt: m.created_at,
          body: m.body,
          attachments: files.get(m.id)?.map((f) => ({ name: f.name, size: f.size })) ?? [],
        })),
        linkUrl: `${linkTarget(c, this.deps.sites)}#parley-link=${token}`,
        linkExpiresAt: expiresAt,
      }),
    });
    // An unsubscribed visitor's replies are claimed all the same, so the sweep does not find them again.
    const writes = email === undefined ? { emails: [] } : { emails: [email], link: { tokenHash: hasher.hash(CONVERSATION_LINK, token), expiresAt } };
    const claimed = await reminders.claimFollowUp(c.id, due.followupSeq, upTo, writes, now);
    if (claimed && email !== undefined) this.deps.logger.info({ conversation_id: c.id, replies: replies.length }, 'follow-up email queued');
    return claimed && email !== undefined;
  }

  /** The reminder of an unanswered conversation to its assignee, or every agent when nobody (active) is assigned. */
  private async unanswered(due: DueUnanswered, agents: AgentRow[], now: number): Promise<boolean> {
    const { conversations, reminders, outbox } = this.deps;
    const c = await conversations.get(due.conversationId);
    const [last] = await conversations.messages(due.conversationId, { after: due.lastVisitorSeq - 1, limit: 1 });
    if (c === undefined || last === undefined || c.status !== 'open') return false;
    const active = agents.filter((a) => a.deactivated_at === null);
    const assignee = active.filter((a) => a.id === due.assignedAgentId);
    const recipients = (assignee.length > 0 ? assignee : active).filter((a) => a.notify_unanswered === 1);
    const emails = [];
    for (const agent of recipients) {
      const email = await outbox.prepare({
        to: agent.email,
        kind: 'unanswered',
        dedupeKey: `unanswered:${c.id}:${due.lastVisitorSeq}:${agent.id}`,
        draft: unansweredEmail({
          conversationId: c.id,
          visitorName: c.visitor_name,
          visitorEmail: c.visitor_email,
          lastMessage: withAttachments(last.body, last.attachment_count > 0 ? (await this.deps.attachments.ofMessages([last.id])).get(last.id) : undefined),
          waitingMinutes: Math.max(1, Math.round((now - due.waitingSince) / 60_000)),
          dashboardUrl: `${this.deps.sites.appUrl}/stratus/conversations/${c.id}`,
        }),
      });
      if (email !== undefined) emails.push(email);
    }
    const claimed = await reminders.claimUnanswered(c.id, due.unansweredSeq, due.lastVisitorSeq, { emails }, now);
    return claimed && emails.length > 0;
  }
}
