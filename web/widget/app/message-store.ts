import type { ChatMessage, ViewMessage } from './types.js';

/** An outbox message shown before the server has it. */
export interface PendingMessage {
  client_message_id: string;
  body: string;
  created_at: string;
  failed?: boolean;
}

/**
 * The transcript: server messages merged by `seq` (so a message seen twice, by WebSocket and by
 * polling, is shown once) and pending sends keyed by `client_message_id` (replaced by the server's
 * message with the same id). `cursor` is the `seq` up to which nothing is missing: the `after`
 * of the next catch-up.
 */
export class MessageStore {
  private readonly bySeq = new Map<number, ChatMessage>();
  private readonly pending = new Map<string, PendingMessage>();
  private readonly knownIds = new Set<string>();
  cursor = 0;

  /**
   * Adds server messages; answers those not seen before. A catch-up answer (`after=cursor`) holds
   * every message after the cursor, so it moves the cursor to its end; a pushed message moves it
   * only while the sequence has no gap.
   */
  merge(messages: readonly ChatMessage[], catchUp = false): ChatMessage[] {
    const added: ChatMessage[] = [];
    for (const message of messages) {
      if (message.client_message_id !== undefined) {
        this.knownIds.add(message.client_message_id);
        this.pending.delete(message.client_message_id);
      }
      if (catchUp && message.seq > this.cursor) this.cursor = message.seq;
      if (this.bySeq.has(message.seq)) continue;
      this.bySeq.set(message.seq, message);
      added.push(message);
    }
    while (this.bySeq.has(this.cursor + 1)) this.cursor += 1;
    return added;
  }

  /** Whether a pushed message arrived past a hole: a catch-up is needed to fill it. */
  hasGap(): boolean {
    return this.lastSeq() > this.cursor;
  }

  lastSeq(): number {
    let last = 0;
    for (const seq of this.bySeq.keys()) if (seq > last) last = seq;
    return last;
  }

  /** Shows an outbox message as pending, unless the server already has it. */
  addPending(message: PendingMessage): void {
    if (this.knownIds.has(message.client_message_id)) return;
    this.pending.set(message.client_message_id, { ...message });
  }

  failPending(clientMessageId: string): void {
    const message = this.pending.get(clientMessageId);
    if (message) message.failed = true;
  }

  /** Agent messages after `seq`: the unread count. */
  countAfter(seq: number, sender: ChatMessage['sender'] = 'agent'): number {
    let count = 0;
    for (const message of this.bySeq.values()) if (message.seq > seq && message.sender === sender) count += 1;
    return count;
  }

  /** Server messages in `seq` order, then pending ones in the order they were written. */
  list(): ViewMessage[] {
    const sent = [...this.bySeq.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((m): ViewMessage => {
        const view: ViewMessage = { key: keyOf(m.client_message_id, m.seq), seq: m.seq, sender: m.sender, body: m.body, created_at: m.created_at, state: 'sent' };
        if (m.author_name !== undefined) view.author_name = m.author_name;
        return view;
      });
    const waiting = [...this.pending.values()].map(
      (p): ViewMessage => ({ key: keyOf(p.client_message_id), sender: 'visitor', body: p.body, created_at: p.created_at, state: p.failed ? 'failed' : 'pending' }),
    );
    return sent.concat(waiting);
  }

  clear(): void {
    this.bySeq.clear();
    this.pending.clear();
    this.knownIds.clear();
    this.cursor = 0;
  }
}

/** One key per message for its whole life, so a pending bubble becomes the sent one in place. */
const keyOf = (clientMessageId: string | undefined, seq?: number): string => (clientMessageId !== undefined ? `c:${clientMessageId}` : `s:${seq}`);
