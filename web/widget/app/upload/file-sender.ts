import { failureOf, type ApiResult } from '../../../shared/api-result.js';
import { sendOutcome } from '../../../shared/send-outcome.js';
import type { Upload, UploadRequest } from '../../../shared/upload.js';
import type { OutboxItem } from '../outbox-item.js';
import type { ChatMessage } from '../types.js';

/** Where the bytes of queued files wait (IndexedDB in browsers: web/widget/app/upload/file-db.ts). */
export interface FileBytes {
  put(key: string, blob: Blob): Promise<void>;
  get(key: string): Promise<Blob | undefined>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export interface FileSenderDeps {
  bytes: FileBytes;
  /** Parley's base URL. */
  server: string;
  token(): string | undefined;
  fingerprint(): string | undefined;
  /** An upload moved (0 to 1, in whole percents), or ended (undefined). */
  progress(clientMessageId: string, value: number | undefined): void;
  /** web/shared/upload.ts (tests pass a fake). */
  upload(request: UploadRequest): Upload<{ message: ChatMessage }>;
}

/**
 * Uploads the files of outbox items (docs/widget.md, "Attachments"). A file's bytes are kept in
 * memory for this page and in IndexedDB for after a reload, under its `client_message_id`, until
 * the server has it or refused it for good; the same id is sent on every attempt, so the server
 * stores it once.
 */
export class FileSender {
  private readonly memory = new Map<string, Blob>();

  constructor(private readonly deps: FileSenderDeps) {}

  /** Keeps the bytes of a file about to be queued; resolves once they are stored (or could not be). */
  keep(clientMessageId: string, blob: Blob): Promise<void> {
    this.memory.set(clientMessageId, blob);
    return this.deps.bytes.put(clientMessageId, blob);
  }

  /** One attempt: `POST /api/chat/{id}/attachments` with the item's text as `body`. */
  async send(conversationId: number, item: OutboxItem): Promise<ApiResult<{ message: ChatMessage }>> {
    const id = item.client_message_id;
    const blob = this.memory.get(id) ?? (await this.deps.bytes.get(id));
    if (!blob || !item.file) {
      // Stored nowhere (storage cleared, or IndexedDB unavailable before a reload): it cannot be sent.
      await this.forget(id);
      return failureOf(400, { error: { code: 'bad_request', message: 'The file is no longer on this device.' } });
    }
    const headers: Record<string, string> = {};
    const token = this.deps.token();
    const fingerprint = this.deps.fingerprint();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (fingerprint) headers['X-Client-Fingerprint'] = fingerprint;
    let shown = 0;
    this.deps.progress(id, 0);
    const running = this.deps.upload({
      url: `${this.deps.server}/api/chat/${conversationId}/attachments`,
      file: blob,
      fileName: item.file.name,
      fields: { client_message_id: id, body: item.body },
      headers,
      onProgress: (sent, total) => {
        const value = total > 0 ? Math.floor((sent / total) * 100) / 100 : 0;
        if (value === shown) return;
        shown = value;
        this.deps.progress(id, value);
      },
    });
    const result = await running.done;
    this.deps.progress(id, undefined);
    const kind = sendOutcome(result).kind;
    if (kind === 'ack' || kind === 'failed' || kind === 'closed') await this.forget(id);
    return result;
  }

  /** Deletes a file's bytes (acknowledged, refused for good, or its conversation ended). */
  async forget(clientMessageId: string): Promise<void> {
    this.memory.delete(clientMessageId);
    await this.deps.bytes.delete(clientMessageId);
  }

  /** Deletes stored bytes no outbox item needs any more (the unsent files of an ended conversation). */
  async prune(queued: () => string[]): Promise<void> {
    for (const key of await this.deps.bytes.keys()) {
      if (!this.memory.has(key) && !queued().includes(key)) await this.deps.bytes.delete(key);
    }
  }
}
