import type { KeyValueStore } from '../../shared/key-value-store.js';
import { Outbox } from '../../shared/outbox.js';
import { KEYS } from './storage.js';

/** A message the visitor wrote that the server has not acknowledged yet. */
export interface OutboxItem {
  client_message_id: string;
  body: string;
  created_at: string;
  /** Only on messages written before a conversation exists: sent with `start`, gone with the item once acknowledged. */
  name?: string;
  email?: string;
  /** A file send (docs/widget.md, "Attachments"): its bytes wait in IndexedDB under `client_message_id`; `body` goes with it. */
  file?: FileMeta;
}

/** What the outbox keeps of a file (its bytes are in IndexedDB: db `parley`, store `files`). */
export interface FileMeta {
  name: string;
  size: number;
  type: string;
}

/** The visitor's name and email for `POST /api/chat/start` (pre-chat fields, or the email asked for while nobody is available). */
export type Contact = Pick<OutboxItem, 'name' | 'email'>;

/** Whether a stored value is an outbox item (`chat_outbox` may be damaged or from another version). */
export function isOutboxItem(value: unknown): value is OutboxItem {
  const item = value as Partial<OutboxItem> | null;
  const file = item?.file as Partial<FileMeta> | undefined;
  const fileOk = file === undefined || (typeof file?.name === 'string' && typeof file.size === 'number' && typeof file.type === 'string');
  return typeof item?.client_message_id === 'string' && typeof item.body === 'string' && typeof item.created_at === 'string' && fileOk;
}

/** The visitor's outbox, persisted as `chat_outbox` so a send survives reloads. */
export const visitorOutbox = (store: KeyValueStore): Outbox<OutboxItem> => new Outbox(store, KEYS.outbox, isOutboxItem);
