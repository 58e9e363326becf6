import type { KeyValueStore } from './key-value-store.js';
import type { Queued } from './transcript.js';

/**
 * The queue of sends the server has not acknowledged, kept under one key of `store`: with
 * `localStorage` it survives reloads, so a send is never lost; with a `MemoryStore` it lives as
 * long as the page. Each `client_message_id` is queued once, so the server stores it once.
 */
export class Outbox<T extends Queued> {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly isItem: (value: unknown) => value is T,
  ) {}

  /** The queued items, oldest first; a damaged entry is skipped rather than failing. */
  items(): T[] {
    try {
      const parsed: unknown = JSON.parse(this.store.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(this.isItem) : [];
    } catch {
      return [];
    }
  }

  /** Queues an item last, unless its `client_message_id` is queued already. */
  add(item: T): void {
    const items = this.items();
    if (!items.some((queued) => queued.client_message_id === item.client_message_id)) this.save([...items, item]);
  }

  /** Takes an item out of the queue (acknowledged or given up). */
  remove(clientMessageId: string): void {
    this.save(this.items().filter((item) => item.client_message_id !== clientMessageId));
  }

  /** Empties the queue. */
  clear(): void {
    this.store.removeItem(this.key);
  }

  private save(items: T[]): void {
    if (items.length === 0) this.store.removeItem(this.key);
    else this.store.setItem(this.key, JSON.stringify(items));
  }
}
