import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './pusher-clients.js';

/** A chat webhook as the receiver got it, its body parsed. */
export interface ChatWebhook {
  /** The request's path: one receiver can stand for several endpoints. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  payload: { id: string; event: string; version: number; created_at: string; data: Record<string, unknown> };
  /** What the receiver answered: a status, or nothing ('hang'). */
  answered: number | 'hang';
}

/** docs/webhooks.md, "Verifying a delivery" (the Node example), as a receiver would run it. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || typeof parts.v1 !== 'string') return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A local chat-webhook endpoint (127.0.0.1): records every POST and answers what `answer` says for it (a status, or never). */
export class ChatWebhookReceiver {
  readonly received: ChatWebhook[] = [];
  answer: (webhook: Omit<ChatWebhook, 'answered'>, index: number) => number | 'hang' = () => 200;
  private readonly server: Server;
  private readonly watchers = new Set<() => void>();
  url = '';

  constructor() {
    this.server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const got = { path: request.url ?? '', headers: request.headers, body, payload: JSON.parse(body) as ChatWebhook['payload'] };
        const answered = this.answer(got, this.received.length);
        this.received.push({ ...got, answered });
        for (const watcher of this.watchers) watcher();
        if (answered !== 'hang') response.writeHead(answered).end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/parley`;
    return this.url;
  }

  /** Those answered 2xx: what counts as delivered. */
  delivered(): ChatWebhook[] {
    return this.received.filter((w) => typeof w.answered === 'number' && w.answered >= 200 && w.answered < 300);
  }

  /** Resolves once `count` requests have come in all. */
  count(count: number, ms?: number): Promise<void> {
    return this.until(`${count} webhook requests (have ${this.received.length})`, () => this.received.length >= count, ms);
  }

  /** Resolves once `done` holds, checked after every request. */
  until(label: string, done: () => boolean, ms?: number): Promise<void> {
    return waitFor(
      label,
      (resolve) => {
        const check = () => {
          if (done()) resolve(undefined);
        };
        this.watchers.add(check);
        check();
        return () => this.watchers.delete(check);
      },
      ms,
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
