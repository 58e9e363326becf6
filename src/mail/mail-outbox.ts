import type { EmailQueueStore, EnqueueOutcome, NewEmail } from '../storage/email-queue-store.js';
import type { EmailSuppressionStore } from '../storage/email-suppression-store.js';
import type { Clock } from '../time/clock.js';
import { renderEmail, type EmailDraft } from './email-template.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

/** One email to send later: a template's draft, who gets it, and what kind it is. */
export interface EmailRequest {
  to: string;
  /** What it is (`follow-up`, `transcript`, `new-conversation`…): logged and counted. */
  kind: string;
  draft: EmailDraft;
  /** The same key is queued once, across nodes and retries of the caller (one follow-up per burst, say). */
  dedupeKey?: string;
  /** Epoch ms before which it is not sent (default: now). */
  sendAfter?: number;
}

/** What `enqueue` did; `suppressed`: the address unsubscribed, nothing was queued. */
export type EmailRequestOutcome = EnqueueOutcome | { status: 'suppressed' };

/**
 * Where the rest of Parley hands an email (docs/email.md): renders both bodies with the
 * unsubscribe footer, stores the row in the queue and wakes the worker. Sending happens later, by
 * whichever node claims it.
 */
export class MailOutbox {
  constructor(
    private readonly deps: {
      queue: EmailQueueStore;
      suppressions: EmailSuppressionStore;
      tokens: UnsubscribeTokens;
      clock: Clock;
      /** The name in the footer ("Sent by …"): `MAIL_FROM_NAME`. */
      sender: string;
      /** Called after a row is queued: the local worker sends it without waiting for its timer. */
      wake: () => void;
    },
  ) {}

  async enqueue(request: EmailRequest): Promise<EmailRequestOutcome> {
    const email = await this.prepare(request);
    if (email === undefined) return { status: 'suppressed' };
    const outcome = await this.deps.queue.enqueue(email, this.deps.clock.now());
    if (outcome.status === 'queued') this.deps.wake();
    return outcome;
  }

  /**
   * The row `enqueue` would store, for a caller that queues it in a transaction of its own (a
   * follow-up's claim) and then calls `wake`; undefined when the address unsubscribed.
   */
  async prepare(request: EmailRequest): Promise<NewEmail | undefined> {
    const { suppressions, tokens, sender } = this.deps;
    if (await suppressions.isSuppressed(request.to)) return undefined;
    const rendered = renderEmail(request.draft, { sender, unsubscribeUrl: tokens.url(request.to) });
    return { to: request.to, kind: request.kind, ...rendered, ...(request.dedupeKey !== undefined ? { dedupeKey: request.dedupeKey } : {}), ...(request.sendAfter !== undefined ? { sendAfter: request.sendAfter } : {}) };
  }

  /** Lets the local worker send what was queued without waiting for its timer. */
  wake(): void {
    this.deps.wake();
  }
}
