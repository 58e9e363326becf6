/**
 * The contract between the chat code (`live-chat-app.js`) and its lazily loaded file code
 * (`live-chat-upload.js`: picking, pasting and dropping files, the preview strip, IndexedDB and
 * the upload itself). Types only: the two bundles share no code at run time.
 */
import type { ApiResult } from '../../shared/api-result.js';
import type { Contact, OutboxItem } from './outbox-item.js';
import type { AttachmentLimits, ChatMessage } from './types.js';

/** What the chat code hands the file code when it loads. */
export interface UploadHost {
  win: Window;
  root: ShadowRoot;
  /** The composer's form: the preview strip goes just above it. */
  form: HTMLFormElement;
  composer: HTMLTextAreaElement;
  /** Parley's base URL. */
  server: string;
  /** The site's text overrides (`data-lang`, `strings`). */
  strings: Record<string, string>;
  /** What the server accepts, once `GET /api/chat/config` has answered. */
  limits(): AttachmentLimits | undefined;
  /** Sent as `Authorization: Bearer` and `X-Client-Fingerprint`. */
  token(): string | undefined;
  fingerprint(): string | undefined;
  newId(): string;
  /** Queues a file send in the outbox (`ChatSession.write`). */
  write(body: string, contact: Contact, file: Pick<OutboxItem, 'client_message_id' | 'file'>): void;
  /** The ids in the outbox: stored bytes of any other id are deleted. */
  queued(): string[];
  /** An upload moved (0 to 1), or ended (undefined). */
  progress(clientMessageId: string, value: number | undefined): void;
}

/** What the file code offers back. */
export interface UploadModule {
  /** Files picked, dropped or pasted: checked against the limits, then shown in the preview strip. */
  add(files: readonly File[], pasted: boolean): void;
  /** Whether the preview strip holds files to send. */
  staged(): boolean;
  /** Queues each staged file (the text goes with the first) and empties the strip. */
  sendStaged(text: string, contact: Contact): void;
  /** One attempt at an outbox item's file: `POST /api/chat/{id}/attachments`. */
  upload(conversationId: number, item: OutboxItem): Promise<ApiResult<{ message: ChatMessage }>>;
}

declare global {
  interface Window {
    ParleyWidgetUpload?: { mount(host: UploadHost): UploadModule };
  }
}
