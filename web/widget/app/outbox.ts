import type { Clock } from './clock.js';
import { KEYS, type KeyValueStore } from './storage.js';

/** A message the visitor wrote that the server has not acknowledged yet. */
export interface OutboxItem {
  client_message_id: string;
  body: string;
  created_at: string;
}

/** The persisted queue (`chat_outbox`): survives reloads, so a send is never lost. */
export class Outbox {
  constructor(private readonly store: KeyValueStore) {}

  items(): OutboxItem[] {
    try {
      const parsed: unknown = JSON.parse(this.store.getItem(KEYS.outbox) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isItem) : [];
    } catch {
      return [];
    }
  }

  add(item: OutboxItem): void {
    this.save([...this.items(), item]);
  }

  remove(clientMessageId: string): void {
    this.save(this.items().filter((item) => item.client_message_id !== clientMessageId));
  }

  clear(): void {
    this.store.removeItem(KEYS.outbox);
  }

  private save(items: OutboxItem[]): void {
    if (items.length === 0) this.store.removeItem(KEYS.outbox);
    else this.store.setItem(KEYS.outbox, JSON.stringify(items));
  }
}

function isItem(value: unknown): value is OutboxItem {
  const item = value as Partial<OutboxItem> | null;
  return typeof item?.client_message_id === 'string' && typeof item.body === 'string' && typeof item.created_at === 'string';
}

/** Retry delays: 1 s, 2 s, 4 s… at most 30 s. */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

/** What one send attempt came to. */
export type SendOutcome =
  | { kind: 'ack' }
  | { kind: 'retry'; afterMs?: number }
  /** Refused for good (422): shown as failed, dropped from the queue. */
  | { kind: 'failed' }
  /** The conversation is closed (409): the queue stops; the session decides what to do. */
  | { kind: 'closed' };

export interface FlusherDeps {
  outbox: Outbox;
  clock: Clock;
  send(item: OutboxItem): Promise<SendOutcome>;
  /** Whether sending may start (the conversation, or its absence, is known). */
  ready(): boolean;
  onOutcome?(item: OutboxItem, outcome: SendOutcome): void;
}

/**
 * Sends the outbox in order, one message at a time, until each is acknowledged. Failures wait
 * with back-off; `kick()` (a reconnect, the `online` event, a new message) retries at once.
 */
export class OutboxFlusher {
  private attempt = 0;
  private running = false;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly deps: FlusherDeps) {}

  /** Tries now, forgetting any back-off wait. */
  kick(): void {
    if (this.stopped) return;
    this.cancelTimer();
    this.attempt = 0;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

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
        if (outcome.kind === 'closed') {
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
