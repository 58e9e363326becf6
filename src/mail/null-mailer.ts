import type { Mailer } from './mailer.js';

/** `MAIL_MAILER=null`: every email is dropped (and marked sent). */
export class NullMailer implements Mailer {
  async send(): Promise<void> {}
  async close(): Promise<void> {}
}
