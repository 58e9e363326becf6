import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageDto } from '../../src/chat/dto.js';
import { messagesAfter, type Chat } from './cluster-api.js';
import { waitFor, type TestClient } from './pusher-clients.js';

/**
 * A visitor as docs/api.md asks clients to behave: live `MessageSent` events, plus a catch-up read
 * (`GET /api/chat/{id}/messages?after=<last seq it holds without a gap>`) on every
 * `pusher:subscription_succeeded` (first subscription and each reconnection) and on a gap; merged by seq.
 */
export class CatchingUpVisitor {
  readonly bySeq = new Map<number, MessageDto>();
  readonly stats = { live: 0, caughtUp: 0, repeated: 0, catchUps: 0 };
  readonly errors: unknown[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly client: TestClient,
    private readonly httpBase: string,
    private readonly chat: Chat,
  ) {
    const channel = client.pusher.subscribe(`private-conversation.${chat.id}`);
    channel.bind('MessageSent', (data: { message: MessageDto }) => this.merge([data.message], 'live'));
    channel.bind('pusher:subscription_succeeded', () => this.catchUp());
    channel.bind('pusher:subscription_error', (status: unknown) => this.errors.push(new Error(`subscription failed: ${JSON.stringify(status)}`)));
  }

  /** The highest seq up to which this client holds every message. */
  contiguous(): number {
    let seq = 0;
    while (this.bySeq.has(seq + 1)) seq++;
    return seq;
  }

  /** Resolves once the client holds `count` messages. */
  holds(count: number, ms: number): Promise<void> {
    return waitFor<void>(`the visitor to hold ${count} messages (holds ${this.bySeq.size})`, (resolve) => {
      const check = () => {
        if (this.bySeq.size >= count) resolve();
      };
      this.listeners.add(check);
      check();
      return () => this.listeners.delete(check);
    }, ms);
  }

  private catchUp(): void {
    this.stats.catchUps++;
    messagesAfter(this.httpBase, this.chat, this.contiguous()).then(
      (messages) => this.merge(messages, 'caughtUp'),
      (error: unknown) => this.errors.push(error),
    );
  }

  private merge(messages: MessageDto[], source: 'live' | 'caughtUp'): void {
    for (const message of messages) {
      if (this.bySeq.has(message.seq)) {
        this.stats.repeated++;
        continue;
      }
      this.bySeq.set(message.seq, message);
      this.stats[source]++;
      if (source === 'live' && message.seq > this.contiguous() + 1) this.catchUp();
    }
    for (const listener of [...this.listeners]) listener();
  }
}

/** Collects the webhooks every node posts (Pusher format: `{time_ms, events: [...]}`). */
export class WebhookSink {
  readonly events: { name: string; channel: string; user_id?: string }[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookSink> {
    const server = createServer();
    const sink = new WebhookSink(server);
    server.on('request', (req, res) => {
      let raw = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        try {
          sink.events.push(...(JSON.parse(raw) as { events: WebhookSink['events'] }).events);
        } catch {
          return void res.writeHead(400).end();
        }
        res.writeHead(200).end();
        for (const listener of [...sink.listeners]) listener();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
  }

  count(name: string, channel: string): number {
    return this.events.filter((e) => e.name === name && e.channel === channel).length;
  }

  /** Resolves once a `name` webhook for `channel` has arrived. */
  received(name: string, channel: string, ms: number): Promise<void> {
    return waitFor<void>(`a ${name} webhook for ${channel}`, (resolve) => {
      const check = () => {
        if (this.count(name, channel) > 0) resolve();
      };
      this.listeners.add(check);
      check();
      return () => this.listeners.delete(check);
    }, ms);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
