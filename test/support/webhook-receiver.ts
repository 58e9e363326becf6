import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '../../src/realtime/http-api/webhooks.js';
import { waitFor } from './pusher-clients.js';

/** One webhook as the receiver got it. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  events: WebhookEvent[];
}
/** A local endpoint that records webhooks and answers each with what `answer` says (a status, or never). */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: number) => number | 'hang' = () => 200;
  private readonly server: Server;
  private readonly watchers = new Set<() => void>();

  constructor() {
    this.server = createServer((request, response: ServerResponse) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const answer = this.answer(this.received.length);
        this.received.push({ headers: request.headers, body, events: (JSON.parse(body) as { events: WebhookEvent[] }).events });
        for (const watcher of this.watchers) watcher();
        if (answer !== 'hang') response.writeHead(answer).end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/pusher/webhook`;
  }

  /** The first webhook (received already or later) that `match` accepts. */
  webhook(label: string, match: (webhook: ReceivedWebhook) => boolean, ms?: number): Promise<ReceivedWebhook> {
    return waitFor(
      label,
      (resolve) => {
        const check = () => {
          const found = this.received.find(match);
          if (found) resolve(found);
        };
        this.watchers.add(check);
        check();
        return () => this.watchers.delete(check);
      },
      ms,
    );
  }

  /** The first event like `expected`, in whichever webhook it came. */
  async event(expected: Partial<WebhookEvent>): Promise<WebhookEvent> {
    const matches = (event: WebhookEvent) => Object.entries(expected).every(([key, value]) => (event as Record<string, unknown>)[key] === value);
    const webhook = await this.webhook(`webhook event ${JSON.stringify(expected)}`, (w) => w.events.some(matches));
    return webhook.events.find(matches) as WebhookEvent;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
