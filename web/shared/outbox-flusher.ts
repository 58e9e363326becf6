import type { Clock } from './clock.js';
import type { Outbox } from './outbox.js';
import type { SendOutcome } from './send-outcome.js';
import type { Queued } from './transcript.js';

/** Retry delays: 1 s, 2 s, 4 s… at most 30 s. */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

/** What the flusher needs: the queue, time, and how to send one item. */
export interface FlusherDeps<T extends Queued> {
  outbox: Outbox<T>;
  clock: Clock;
  /** One attempt; its answer read by `sendOutcome`, or translated first by the owner (e.g. `gone`). A throw counts as `retry`. */
  send(item: T): Promise<SendOutcome>;
  /** Whether sending may start (e.g. the conversation, or its absence, is known). */
  ready(): boolean;
  onOutcome?(item: T, outcome: SendOutcome): void;
}

/**
 * Sends the outbox in order, one item at a time, until each is acknowledged. Failures wait with
 * back-off; `kick()` (a reconnect, the `online` event, a new message) retries at once. `closed`,
 * `gone` and `signed-out` stop the queue until `resume()`.
 */
export class OutboxFlusher<T extends Queued> {
  private attempt = 0;
  private running = false;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly deps: FlusherDeps<T>) {}

  /** Tries now, forgetting any back-off wait. */
  kick(): void {
    if (this.stopped) return;
    this.cancelTimer();
    this.attempt = 0;
    void this.run();
  }

  /** Stops sending until `resume()`; the queue is kept. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  /** Sends again after a stop. */
  resume(): void {
    this.stopped = false;
    this.kick();
  }

  /** Whether a wait or a send is under way (for tests and the status line). */
  get busy(): boolean {
    return this.running || this.timer !== undefined;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        if (this.stopped || !this.deps.ready()) return;
        const item = this.deps.outbox.items()[0];
        if (!item) return;
        const outcome = await this.deps.send(item).catch((): SendOutcome => ({ kind: 'retry' }));
        this.deps.onOutcome?.(item, outcome);
        if (outcome.kind === 'ack' || outcome.kind === 'failed') {
          this.deps.outbox.remove(item.client_message_id);
          this.attempt = 0;
          continue;
        }
        if (outcome.kind !== 'retry') {
          this.stopped = true;
          return;
        }
        const delay = Math.max(outcome.afterMs ?? 0, backoff(this.attempt));
        this.attempt += 1;
        this.timer = this.deps.clock.setTimeout(() => {
          this.timer = undefined;
          void this.run();
        }, delay);
        return;
      }
    } finally {
      this.running = false;
    }
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
