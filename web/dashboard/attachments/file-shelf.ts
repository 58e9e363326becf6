/**
 * The bytes of the agent's queued file replies (docs/dashboard.md, "Attachments"). The reply
 * outbox keeps its queue in sessionStorage, which holds text only: a queued file names its bytes
 * by `ref`, and they wait here, in memory, for the page's lifetime. A retry (back-off, reconnect)
 * sends the same bytes with the same `client_message_id`, so the server stores the file once.
 * DOM-free.
 */
import { failureOf, type ApiResult } from '../../shared/api-result.js';
import type { AgentApi } from '../agent-api.js';
import type { Message } from '../types.js';
import type { StagedFile } from './tray.js';

/** A queued reply's file as the queue (sessionStorage) holds it. */
export interface QueuedFile {
  ref: string;
  name: string;
  size: number;
  type: string;
}

/** What the transcript shows of a queued file. */
export interface FileView {
  /** 0 to 1 while its upload runs, absent before. */
  progress?: number;
  preview?: string;
  /** The bytes are gone (the page was reloaded): it cannot be sent. */
  lost: boolean;
}

/** One queued reply with a file, as the outbox hands it over. */
export interface FileReply {
  client_message_id: string;
  conversation_id: number;
  body: string;
  file: QueuedFile;
}

export const isQueuedFile = (value: unknown): value is QueuedFile => {
  const file = value as Partial<QueuedFile> | null;
  return typeof file?.ref === 'string' && typeof file.name === 'string' && typeof file.size === 'number' && typeof file.type === 'string';
};

export class FileShelf {
  private readonly held = new Map<string, { blob: Blob; preview?: string }>();
  private readonly progress = new Map<string, number>();

  /** Keeps a staged file's bytes; answers what the queue records of it. */
  keep(file: StagedFile): QueuedFile {
    this.held.set(file.key, { blob: file.blob, ...(file.preview ? { preview: file.preview } : {}) });
    return { ref: file.key, name: file.name, size: file.size, type: file.type };
  }

  view(file: QueuedFile): FileView {
    const held = this.held.get(file.ref);
    const progress = this.progress.get(file.ref);
    return { lost: !held, ...(held?.preview ? { preview: held.preview } : {}), ...(progress !== undefined ? { progress } : {}) };
  }

  /** The server stored it: the bytes are no longer needed. */
  forget(ref: string): void {
    this.held.delete(ref);
    this.progress.delete(ref);
  }

  /**
   * One attempt at a file reply. Its bytes lost with a reload: the text, if any, still goes out
   * (same `client_message_id`); a file alone is refused here with a reason for the agent.
   * `changed` is called as the upload progresses (each whole percent).
   */
  async send(api: Pick<AgentApi, 'reply' | 'upload'>, item: FileReply, changed: () => void): Promise<ApiResult<{ message: Message }>> {
    const held = this.held.get(item.file.ref);
    if (!held || !api.upload) {
      if (item.body.trim() !== '') return api.reply(item.conversation_id, item.body, item.client_message_id);
      return failureOf(422, { error: { code: 'validation_failed', message: `${item.file.name} was not kept when the page was reloaded. Attach it again.` } });
    }
    const ref = item.file.ref;
    this.progress.set(ref, 0);
    changed();
    const result = await api.upload(item.conversation_id, { blob: held.blob, name: item.file.name, body: item.body, clientMessageId: item.client_message_id }, (fraction) => {
      const before = Math.floor((this.progress.get(ref) ?? 0) * 100);
      this.progress.set(ref, fraction);
      if (Math.floor(fraction * 100) !== before) changed();
    });
    this.progress.delete(ref);
    if (result.ok) this.forget(ref);
    return result;
  }
}
