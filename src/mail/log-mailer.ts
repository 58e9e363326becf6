import type { Logger } from 'pino';
import type { Mailer, OutgoingEmail } from './mailer.js';

/** A recipient as `info` logs show it: the domain, and the first character of the rest (docs/security.md, "Logging"). */
export function maskedAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`;
}

/** `MAIL_MAILER=log` (the default): says what it would send; the full recipient and the bodies only at debug, since visitors typed them. */
export class LogMailer implements Mailer {
  constructor(private readonly logger: Logger) {}

  async send(email: OutgoingEmail): Promise<void> {
    this.logger.info({ to: maskedAddress(email.to), subject: email.subject }, 'email not sent (MAIL_MAILER=log)');
    this.logger.debug({ to: email.to, text: email.text, html: email.html, headers: email.headers }, 'email body (MAIL_MAILER=log)');
  }

  async close(): Promise<void> {}
}
