/** A message the server numbered: `seq` orders a conversation, `client_message_id` ties it to its outbox item. */
export interface Sequenced {
  seq: number;
  client_message_id?: string;
}

/** A message written here that the server has not acknowledged yet. */
export interface Queued {
  client_message_id: string;
}

/** A pending send as a transcript shows it: still on its way, or refused for good. */
export interface PendingEntry<P extends Queued> {
  item: P;
  failed: boolean;
}

/** Merges by `seq`: each seq once (the later copy wins), in seq order. */
export function mergeBySeq<M extends Sequenced>(current: readonly M[], incoming: readonly M[]): M[] {
  const bySeq = new Map<number, M>();
  for (const m of current) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held, 0 for none. */
export function lastSeq(messages: Iterable<Sequenced>): number {
  let last = 0;
  for (const m of messages) if (m.seq > last) last = m.seq;
  return last;
}

/**
 * One conversation's transcript: server messages merged by `seq` (a message heard by WebSocket
 * and again by polling is held once) and pending sends keyed by `client_message_id` (dropped once
 * the server's copy arrives). `cursor` is the `seq` up to which nothing is missing: the `after` of
 * the next catch-up (docs/realtime.md).
 */
export class Transcript<M extends Sequenced, P extends Queued = Queued> {
  private readonly bySeq = new Map<number, M>();
  private readonly waiting = new Map<string, PendingEntry<P>>();
  private readonly knownIds = new Set<string>();
  cursor = 0;

  /**
   * Adds server messages and answers those not held before. A catch-up answer (`after=cursor`)
   * holds every message after the cursor, so it moves the cursor to its end; a pushed message
   * moves it only while the sequence has no gap.
   */
  merge(messages: readonly M[], catchUp = false): M[] {
    const added: M[] = [];
    for (const message of messages) {
      if (message.client_message_id !== undefined) {
        this.knownIds.add(message.client_message_id);
        this.waiting.delete(message.client_message_id);
      }
      if (catchUp && message.seq > this.cursor) this.cursor = message.seq;
      if (!this.bySeq.has(message.seq)) added.push(message);
      this.bySeq.set(message.seq, message);
    }
    while (this.bySeq.has(this.cursor + 1)) this.cursor += 1;
    return added;
  }

  /** Whether a pushed message arrived past a hole: a catch-up is needed to fill it. */
  hasGap(): boolean {
    return this.lastSeq() > this.cursor;
  }

  /** The highest seq held, 0 for none. */
  lastSeq(): number {
    return lastSeq(this.bySeq.values());
  }

  /** Shows a send as pending, unless the server already has it. */
  addPending(item: P): void {
    if (!this.knownIds.has(item.client_message_id)) this.waiting.set(item.client_message_id, { item, failed: false });
  }

  /** Marks a pending send as refused for good, so it shows as not sent. */
  failPending(clientMessageId: string): void {
    const entry = this.waiting.get(clientMessageId);
    if (entry) entry.failed = true;
  }

  /** Forgets a pending send (the writer gave it up). */
  dropPending(clientMessageId: string): void {
    this.waiting.delete(clientMessageId);
  }

  /** Server messages in `seq` order. */
  messages(): M[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Pending sends in the order they were written. */
  pending(): PendingEntry<P>[] {
    return [...this.waiting.values()];
  }

  /** How many messages after `seq` match (the unread count). */
  countAfter(seq: number, matches: (message: M) => boolean): number {
    let count = 0;
    for (const message of this.bySeq.values()) if (message.seq > seq && matches(message)) count += 1;
    return count;
  }

  /** Forgets everything: another conversation begins. */
  clear(): void {
    this.bySeq.clear();
    this.waiting.clear();
    this.knownIds.clear();
    this.cursor = 0;
  }
}
