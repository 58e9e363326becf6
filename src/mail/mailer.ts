/** One message ready for the wire: rendered bodies and the headers the queue adds (List-Unsubscribe…). */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * The port the queue sends through (docs/email.md): one message per call. A rejected promise is a
 * failed attempt; `permanent` on the error says retrying cannot help (an SMTP 5xx answer).
 */
export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  /** Ends open connections; called after the worker stopped, so no send is in flight. */
  close(): Promise<void>;
}

/** A failed send, with whether another attempt could succeed. */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailSendError';
  }
}
