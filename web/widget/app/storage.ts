import { MemoryStore, type KeyValueStore } from '../../shared/key-value-store.js';

/** Keys in the host page's localStorage (docs/widget.md, "Storage and privacy"). */
export const KEYS = {
  clientId: 'chat_client_id',
  fingerprint: 'chat_fingerprint',
  conversationId: 'chat_conversation_id',
  token: 'chat_visitor_token',
  outbox: 'chat_outbox',
  lastSeq: 'chat_last_seq',
} as const;

/**
 * Wraps a store that may throw (blocked storage, Safari private mode, quota): reads and writes
 * never fail, and after the first failure everything stays in memory for this page.
 */
export class SafeStore implements KeyValueStore {
  private readonly memory = new MemoryStore();
  private broken: boolean;

  constructor(private readonly backing: (() => KeyValueStore | null | undefined) | undefined) {
    // Reading is enough to find blocked storage, and writes nothing before the visitor opens the chat.
    this.broken = !this.attempt(() => this.store().getItem(KEYS.clientId));
  }

  /** Whether values survive a reload (false: rule 6, lookup by fingerprint, IP and user agent). */
  get persistent(): boolean {
    return !this.broken;
  }

  getItem(key: string): string | null {
    if (this.broken) return this.memory.getItem(key);
    let value: string | null = null;
    if (!this.attempt(() => (value = this.store().getItem(key)))) return this.memory.getItem(key);
    // Kept in memory too, so the value outlives storage that breaks later in the page's life.
    if (value !== null) this.memory.setItem(key, value);
    return value;
  }

  setItem(key: string, value: string): void {
    this.memory.setItem(key, value);
    if (!this.broken) this.attempt(() => this.store().setItem(key, value));
  }

  removeItem(key: string): void {
    this.memory.removeItem(key);
    if (!this.broken) this.attempt(() => this.store().removeItem(key));
  }

  private store(): KeyValueStore {
    const store = this.backing?.();
    if (!store) throw new Error('no storage');
    return store;
  }

  private attempt(action: () => void): boolean {
    try {
      action();
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }
}
