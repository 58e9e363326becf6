import { mergeAll, type Histogram } from './histogram.js';
import { forkTs, waitUntil, type Child } from './proc.js';
import type { ConnectArgs, SubscriberReport } from '../workers/subscribers.js';
import type { RunArgs, RunReport } from '../workers/http-load.js';
import type { PollArgs } from '../workers/pollers.js';

/** Merged view of what the subscriber processes received since their last reset. */
export interface Deliveries {
  histogram: Histogram;
  received: number;
  open: number;
  errors: string[];
}

/**
 * The load-generator processes, started once and reused by every scenario: subscriber processes
 * (sockets split evenly between them), one HTTP sender and one polling process.
 */
export class LoadGenerators {
  readonly subscribers: Child[];
  readonly sender: Child;
  readonly poller: Child;

  constructor(subscriberProcesses = 2) {
    this.subscribers = Array.from({ length: subscriberProcesses }, (_, i) => forkTs(`subscribers-${i}`, 'workers/subscribers.ts', []));
    this.sender = forkTs('http-load', 'workers/http-load.ts', []);
    this.poller = forkTs('pollers', 'workers/pollers.ts', []);
  }

  /** Opens `channels.length` sockets, split round-robin over the subscriber processes. */
  async connect(args: Omit<ConnectArgs, 'channels' | 'timeoutMs' | 'concurrency'> & { channels: string[][] }, timeoutMs = 60_000): Promise<void> {
    const n = this.subscribers.length;
    await Promise.all(
      this.subscribers.map((child, i) => {
        const mine = args.channels.filter((_, j) => j % n === i);
        if (mine.length === 0) return Promise.resolve();
        return child.call('connect', { ...args, channels: mine, concurrency: 64, timeoutMs }, timeoutMs + 5000);
      }),
    );
  }

  /** Opens sockets in one subscriber process only, so its report stays apart from the others'. */
  async connectOn(index: number, args: Omit<ConnectArgs, 'timeoutMs' | 'concurrency'>, timeoutMs = 30_000): Promise<void> {
    await (this.subscribers[index] as Child).call('connect', { ...args, concurrency: 64, timeoutMs }, timeoutMs + 5000);
  }

  async closeSockets(): Promise<void> {
    await Promise.all(this.subscribers.map((c) => c.call('close', {}, 20_000)));
  }

  async resetDeliveries(): Promise<void> {
    await Promise.all(this.subscribers.map((c) => c.call('reset', {}, 5000)));
  }

  async reports(): Promise<SubscriberReport[]> {
    return Promise.all(this.subscribers.map((c) => c.call<SubscriberReport>('report', {}, 5000)));
  }

  async deliveries(): Promise<Deliveries> {
    const parts = await this.reports();
    return {
      histogram: mergeAll(parts.map((p) => p.buckets)),
      received: parts.reduce((s, p) => s + p.received, 0),
      open: parts.reduce((s, p) => s + p.open, 0),
      errors: parts.flatMap((p) => p.errors),
    };
  }

  /** Waits until `expected` timed events have arrived, or `timeoutMs` passed (then returns what did). */
  async drain(expected: number, timeoutMs: number): Promise<Deliveries> {
    await waitUntil(async () => (await this.deliveries()).received >= expected, timeoutMs, 'drain', 50).catch(() => undefined);
    return this.deliveries();
  }

  send(args: RunArgs): Promise<RunReport> {
    return this.sender.call<RunReport>('run', args, args.durationMs + 30_000);
  }

  startPolling(args: PollArgs): Promise<unknown> {
    return this.poller.call('start', args, 5000);
  }

  stopPolling(): Promise<unknown> {
    return this.poller.call('stop', {}, 20_000);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscribers, this.sender, this.poller].map((c) => c.stop(3000)));
  }
}
