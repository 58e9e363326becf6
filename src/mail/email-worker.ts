import type { Logger } from 'pino';
import type { EmailQueueStore, EmailRow } from '../storage/email-queue-store.js';
import type { EmailSuppressionStore } from '../storage/email-suppression-store.js';
import type { Clock } from '../time/clock.js';
import { PolledRun } from '../time/polled-run.js';
import type { Timers } from '../time/timers.js';
import { MailSendError, type Mailer } from './mailer.js';
import { afterFailure, RETRY_DEFAULTS, type RetryPolicy } from './retry-policy.js';

export interface EmailWorkerOptions {
  /** How long a claim lasts: a node that dies mid-send leaves its rows to others after this. */
  leaseMs: number;
  /** Rows claimed at once. */
  batchSize: number;
  /** How often the queue is checked without a wake-up: retries that came due, rows other nodes queued. */
  pollMs: number;
  retry: RetryPolicy;
}

export const WORKER_DEFAULTS: EmailWorkerOptions = { leaseMs: 120_000, batchSize: 10, pollMs: 5_000, retry: RETRY_DEFAULTS };

/** What one run did. */
export interface RunSummary {
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
}

/**
 * Sends the queue (docs/email.md, "Delivery guarantees"): claims due rows with a lease, sends each
 * through the mailer, and marks it sent, or retries it with back-off, or gives up. One runs in
 * every node; the claim makes each row one node's at a time.
 */
export class EmailWorker extends PolledRun<RunSummary> {
  private readonly options: EmailWorkerOptions;

  constructor(
    private readonly deps: {
      queue: EmailQueueStore;
      suppressions: EmailSuppressionStore;
      mailer: Mailer;
      /** The headers an email to this address carries (List-Unsubscribe). */
      headers: (to: string) => Record<string, string>;
      clock: Clock;
      timers: Timers;
      logger: Logger;
      /** This node's name in `claimed_by`. */
      nodeId: string;
      options?: Partial<EmailWorkerOptions>;
    },
  ) {
    super({ timers: deps.timers, onError: (error) => deps.logger.error({ err: error }, 'email queue run failed') }, () => this.options.pollMs);
    this.options = { ...WORKER_DEFAULTS, ...deps.options };
  }

  protected async loop(): Promise<RunSummary> {
    const summary: RunSummary = { sent: 0, retried: 0, failed: 0, suppressed: 0 };
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return summary;
        const { leaseMs, batchSize } = this.options;
        const batch = await this.deps.queue.claimDue(this.deps.nodeId, this.deps.clock.now(), leaseMs, batchSize);
        if (batch.length === 0) break;
        for (const row of batch) summary[await this.deliver(row)] += 1;
      }
    } while (this.again && !this.stopped);
    return summary;
  }

  private async deliver(row: EmailRow): Promise<keyof RunSummary> {
    const { queue, suppressions, mailer, clock, logger, nodeId } = this.deps;
    const log = { email_id: row.id, kind: row.kind, attempt: row.attempts };
    if (this.stopped) {
      await queue.markRetry(row.id, nodeId, clock.now(), 'not sent: the node stopped');
      return 'retried';
    }
    if (await suppressions.isSuppressed(row.recipient)) {
      await queue.markDone(row.id, nodeId, 'suppressed', null);
      logger.info(log, 'email not sent: the address unsubscribed');
      return 'suppressed';
    }
    try {
      await mailer.send({ to: row.recipient, subject: row.subject, text: row.text_body, html: row.html_body, headers: this.deps.headers(row.recipient) });
    } catch (error) {
      return this.failed(row, error);
    }
    if (!(await queue.markSent(row.id, nodeId, clock.now()))) logger.warn(log, 'email sent after its lease expired: another node may send it too');
    return 'sent';
  }

  private async failed(row: EmailRow, error: unknown): Promise<keyof RunSummary> {
    const { queue, clock, logger, nodeId } = this.deps;
    const message = error instanceof Error ? error.message : String(error);
    const decision = afterFailure(row.attempts, error instanceof MailSendError && error.permanent, clock.now(), this.options.retry);
    const log = { email_id: row.id, kind: row.kind, attempt: row.attempts, error: message };
    if (decision.action === 'retry') {
      await queue.markRetry(row.id, nodeId, decision.at, message);
      logger.warn({ ...log, retry_at: new Date(decision.at).toISOString() }, 'email not sent; will retry');
      return 'retried';
    }
    await queue.markDone(row.id, nodeId, 'failed', message);
    logger.error({ ...log, reason: decision.reason }, 'email given up');
    return 'failed';
  }
}
