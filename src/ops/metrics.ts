import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChatMetrics } from '../chat/chat-service.js';

/** Prometheus metrics for one process; `/metrics` renders `registry`. */
export class Metrics implements ChatMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'parley_messages_total',
    help: 'Messages stored, by sender',
    labelNames: ['sender'] as const,
    registers: [this.registry],
  });
  private readonly conversations = new Counter({
    name: 'parley_conversations_started_total',
    help: 'Conversations started',
    registers: [this.registry],
  });

  constructor(options: { openConversations?: () => Promise<number>; defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    const count = options.openConversations;
    if (count) {
      new Gauge({
        name: 'parley_conversations_open',
        help: 'Conversations currently open',
        registers: [this.registry],
        async collect() {
          this.set(await count());
        },
      });
    }
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  messageStored(sender: 'visitor' | 'agent' | 'system'): void {
    this.messages.inc({ sender });
  }

  conversationStarted(): void {
    this.conversations.inc();
  }
}
