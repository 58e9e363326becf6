import type { Clock } from '../../shared/clock.js';
import type { KeyValueStore } from '../../shared/key-value-store.js';
import { OutboxFlusher } from '../../shared/outbox-flusher.js';
import { Outbox } from '../../shared/outbox.js';
import { sendOutcome, type SendOutcome } from '../../shared/send-outcome.js';
import type { AgentApi } from '../agent-api.js';
import { FileShelf, isQueuedFile, type FileView, type QueuedFile } from '../attachments/file-shelf.js';
import type { StagedFile } from '../attachments/tray.js';
import type { Message } from '../types.js';

/** A reply the server has not acknowledged: kept in sessionStorage, so it survives a reload or a new login in this tab. */
export interface QueuedReply {
  client_message_id: string;
  conversation_id: number;
  body: string;
  /** A file reply (docs/dashboard.md, "Attachments"): one file per message, its bytes in memory. */
  file?: QueuedFile;
}

/** A file the agent attached, to go out with a reply. */
export type OutgoingFile = StagedFile;

/** A reply as the transcript shows it: on its way ("Sending…"), or refused ("Not sent · Retry"). */
export interface PendingReply extends QueuedReply {
  failed: boolean;
  /** A file reply's upload progress and thumbnail. */
  upload?: FileView;
}

export const OUTBOX_KEY = 'parley.outbox';
/** Refused replies wait here until the agent retries them. */
export const REFUSED_KEY = 'parley.outbox.refused';

const isReply = (value: unknown): value is QueuedReply => {
  const item = value as Partial<QueuedReply> | null;
  return typeof item?.client_message_id === 'string' && typeof item.conversation_id === 'number' && typeof item.body === 'string' && (item.file === undefined || isQueuedFile(item.file));
};

/** Pending replies the transcript does not hold yet (acknowledged ones drop out). */
export function unacknowledged(pending: readonly PendingReply[], messages: readonly Message[]): PendingReply[] {
  const known = new Set(messages.map((m) => m.client_message_id).filter((id): id is string => id !== undefined));
  return pending.filter((p) => !known.has(p.client_message_id));
}

export interface ReplyOutboxDeps {
  store: KeyValueStore;
  clock: Clock;
  api: Pick<AgentApi, 'reply' | 'upload'>;
  newId(): string;
  /** The server stored a reply. */
  acknowledged(message: Message): void;
  /** A reply was refused for good: why, in words for the agent. */
  refused(reply: QueuedReply, why: string): void;
  /** The queue changed. */
  changed(): void;
}

/**
 * The agent's replies, sent in order by the shared flusher (one outcome table on `error.code`).
 * A refusal for one conversation (closed, gone, invalid) must not hold up the others, so it is
 * set aside as refused instead of stopping the queue; a 401 stops it until the next login.
 */
export class ReplyOutbox {
  private readonly queue: Outbox<QueuedReply>;
  private readonly refusedBox: Outbox<QueuedReply>;
  private readonly flusher: OutboxFlusher<QueuedReply>;
  private readonly shelf = new FileShelf();

  constructor(private readonly deps: ReplyOutboxDeps) {
    this.queue = new Outbox(deps.store, OUTBOX_KEY, isReply);
    this.refusedBox = new Outbox(deps.store, REFUSED_KEY, isReply);
    this.flusher = new OutboxFlusher({ outbox: this.queue, clock: deps.clock, send: (item) => this.deliver(item), ready: () => true });
  }

  /** Sends what is queued now (start-up, reconnect, back online). */
  kick(): void {
    this.flusher.kick();
  }

  stop(): void {
    this.flusher.stop();
  }

  /** Queues a reply; with files, one message per file, the text going with the first. */
  send(conversationId: number, body: string, files: readonly StagedFile[] = []): void {
    const reply = (text: string, file?: StagedFile): QueuedReply => ({ client_message_id: this.deps.newId(), conversation_id: conversationId, body: text, ...(file ? { file: this.shelf.keep(file) } : {}) });
    for (const item of files.length === 0 ? [reply(body)] : files.map((file, i) => reply(i === 0 ? body : '', file))) this.queue.add(item);
    this.deps.changed();
    this.flusher.resume();
  }

  retry(clientMessageId: string): void {
    const item = this.refusedBox.items().find((r) => r.client_message_id === clientMessageId);
    if (!item) return;
    this.refusedBox.remove(clientMessageId);
    // The server stored nothing for a refused reply; a new id keeps the flusher, which may still be
    // dropping the refused one, from dropping this attempt with it.
    this.queue.add({ ...item, client_message_id: this.deps.newId() });
    this.deps.changed();
    this.flusher.resume();
  }

  /** One conversation's replies not yet acknowledged, in the order written. */
  pendingFor(conversationId: number | null): PendingReply[] {
    const all = new Map<string, PendingReply>();
    const view = (item: QueuedReply) => (item.file ? { upload: this.shelf.view(item.file) } : {});
    for (const item of this.queue.items()) all.set(item.client_message_id, { ...item, failed: false, ...view(item) });
    for (const item of this.refusedBox.items()) all.set(item.client_message_id, { ...item, failed: true, ...view(item) });
    return [...all.values()].filter((p) => p.conversation_id === conversationId);
  }

  private async deliver(item: QueuedReply): Promise<SendOutcome> {
    const { file } = item;
    const result = file ? await this.shelf.send(this.deps.api, { ...item, file }, () => this.deps.changed()) : await this.deps.api.reply(item.conversation_id, item.body, item.client_message_id);
    const outcome = sendOutcome(result);
    if (result.ok) {
      this.queue.remove(item.client_message_id);
      this.deps.acknowledged(result.data.message);
      this.deps.changed();
      return outcome;
    }
    if (outcome.kind === 'retry' || outcome.kind === 'signed-out') return outcome;
    this.queue.remove(item.client_message_id);
    this.refusedBox.add(item);
    this.deps.refused(item, outcome.kind === 'closed' ? 'Not sent: the conversation is closed. Reopen it to reply.' : `Not sent: ${result.error.message}`);
    this.deps.changed();
    return { kind: 'failed', code: result.error.code };
  }
}
