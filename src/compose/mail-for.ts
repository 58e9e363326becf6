import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { MailConfig } from '../config/mail-config.js';
import type { UnsubscribeDeps } from '../http/routes/unsubscribe-routes.js';
import { EmailWorker, type EmailWorkerOptions } from '../mail/email-worker.js';
import { LogMailer } from '../mail/log-mailer.js';
import { MailOutbox } from '../mail/mail-outbox.js';
import type { Mailer } from '../mail/mailer.js';
import { NullMailer } from '../mail/null-mailer.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { TranscriptMail } from '../mail/transcript-email.js';
import { UnsubscribeTokens } from '../mail/unsubscribe-token.js';
import { randomToken, type Hasher } from '../security/hashing.js';
import type { Storage } from '../storage/database.js';
import { EmailQueueStore } from '../storage/email-queue-store.js';
import { EmailSuppressionStore } from '../storage/email-suppression-store.js';
import type { Clock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';

/** Outgoing email, built: where services queue emails, the worker that sends them, and the unsubscribe page's needs. */
export interface Mail {
  outbox: MailOutbox;
  /** The chat's `TranscriptMailer`: queues a visitor's transcript. */
  transcripts: TranscriptMail;
  worker: EmailWorker;
  queue: EmailQueueStore;
  suppressions: EmailSuppressionStore;
  tokens: UnsubscribeTokens;
  unsubscribe: UnsubscribeDeps;
  /** Stops the worker once the email in flight is settled, then closes the mailer's connections. */
  close(): Promise<void>;
}

/** The mailer `MAIL_MAILER` names. */
export function mailerFor(config: MailConfig, logger: Logger): Mailer {
  switch (config.mailer) {
    case 'smtp':
      return new SmtpMailer(config);
    case 'log':
      return new LogMailer(logger);
    case 'null':
      return new NullMailer();
  }
}

/** Builds the queue, the worker (not started) and the outbox over one database. */
export function mailFor(
  config: Pick<Config, 'mail' | 'http'>,
  deps: { storage: Storage; hasher: Hasher; clock: Clock; timers: Timers; logger: Logger; mailer?: Mailer; nodeId?: string; worker?: Partial<EmailWorkerOptions> },
): Mail {
  const logger = deps.logger.child({ component: 'mail' });
  const mailer = deps.mailer ?? mailerFor(config.mail, logger);
  const queue = new EmailQueueStore(deps.storage.db, deps.storage.engine);
  const suppressions = new EmailSuppressionStore(deps.storage.db);
  const tokens = new UnsubscribeTokens(deps.hasher, config.http.appUrl);
  const worker = new EmailWorker({
    queue,
    suppressions,
    mailer,
    headers: (to) => tokens.headers(to),
    clock: deps.clock,
    timers: deps.timers,
    logger,
    nodeId: deps.nodeId ?? `node-${randomToken(9)}`,
    ...(deps.worker ? { options: deps.worker } : {}),
  });
  const outbox = new MailOutbox({ queue, suppressions, tokens, clock: deps.clock, sender: config.mail.from.name, wake: () => worker.wake() });
  return {
    outbox,
    transcripts: new TranscriptMail(outbox),
    worker,
    queue,
    suppressions,
    tokens,
    unsubscribe: {
      addressOf: (token) => tokens.verify(token),
      suppress: (address) => suppressions.suppress(address, deps.clock.now()),
    },
    // The email in flight is finished first (SMTP timeouts bound the wait): closing the connection
    // under it could leave a message the server accepted marked unsent, and sent again.
    close: async () => {
      await worker.stop();
      await mailer.close();
    },
  };
}
