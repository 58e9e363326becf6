import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../config/mail-config.js';
import { MailSendError, type Mailer, type OutgoingEmail } from './mailer.js';

/** Seconds nodemailer waits at each step; well inside the queue's lease, so a hung server cannot outlive a claim. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** `MAIL_MAILER=smtp`: nodemailer over one pooled SMTP connection. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly from: { name: string; address: string };

  constructor(config: Pick<MailConfig, 'smtp' | 'from'>) {
    const { smtp } = config;
    this.from = config.from;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 1,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      ...(smtp.username !== undefined ? { auth: { user: smtp.username, pass: smtp.password ?? '' } } : {}),
      ...TIMEOUTS,
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers });
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      // 5xx is the server's final word on this message (no such mailbox, refused content); 4xx and
      // network errors may pass on a later attempt.
      const permanent = typeof code === 'number' && code >= 500 && code < 600;
      throw new MailSendError(`SMTP send failed: ${(error as Error).message}`, permanent, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
