import type { Logger } from 'pino';
import type { Mailer, OutgoingEmail } from './mailer.js';

/** `MAIL_MAILER=log` (the default): says what it would send; the bodies only at debug, since they quote visitors. */
export class LogMailer implements Mailer {
  constructor(private readonly logger: Logger) {}

  async send(email: OutgoingEmail): Promise<void> {
    this.logger.info({ to: email.to, subject: email.subject }, 'email not sent (MAIL_MAILER=log)');
    this.logger.debug({ to: email.to, text: email.text, html: email.html, headers: email.headers }, 'email body (MAIL_MAILER=log)');
  }

  async close(): Promise<void> {}
}
