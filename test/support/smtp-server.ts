import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { parseMail, type ReceivedMail } from './smtp-message.js';

/** The settings of a Parley that sends through the test SMTP server on `port` (links start with https://chat.example). */
export const smtpEnv = (port: number): Record<string, string> => ({
  APP_URL: 'https://chat.example',
  MAIL_MAILER: 'smtp',
  MAIL_HOST: '127.0.0.1',
  MAIL_PORT: String(port),
  MAIL_FROM_ADDRESS: 'chat@shop.example',
  MAIL_FROM_NAME: 'Shop Chat',
});

/**
 * A real SMTP server in the test process (127.0.0.1, a random port): it keeps every message it
 * accepts, can refuse with a 4xx (an outage the sender must retry through), be stopped and
 * started again on the same port, and lets tests await a number of messages instead of sleeping.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Connections, counted when the client says MAIL FROM: attempts, refused or not. */
  attempts = 0;
  private refusing: number | undefined;
  private server: SMTPServer;
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(public port: number) {
    this.server = this.create();
  }

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(0);
    await smtp.listen();
    return smtp;
  }

  /** From now on every MAIL FROM is answered with this code (421: try again later). */
  refuse(code = 421): void {
    this.refusing = code;
  }

  accept(): void {
    this.refusing = undefined;
  }

  /** Resolves once `count` messages have arrived in all. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Subjects received, with how many times each came. */
  subjectCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const mail of this.received) counts.set(mail.subject, (counts.get(mail.subject) ?? 0) + 1);
    return counts;
  }

  /** Stops listening and drops open connections: the sender sees connection errors. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after `stop`. */
  async restart(): Promise<void> {
    this.server = this.create();
    await this.listen();
  }

  close(): Promise<void> {
    return this.stop();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.port = (this.server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private create(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 100,
      onMailFrom: (_address, _session, callback) => {
        this.attempts += 1;
        if (this.refusing === undefined) return callback();
        return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: this.refusing }));
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
          callback();
          for (const waiter of this.waiters.filter((w) => this.received.length >= w.count)) waiter.resolve();
          this.waiters = this.waiters.filter((w) => this.received.length < w.count);
        });
      },
    });
  }
}
