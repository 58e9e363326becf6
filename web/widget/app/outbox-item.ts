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
}

/** The visitor's name and email for `POST /api/chat/start` (pre-chat fields, or the email asked for while nobody is available). */
export type Contact = Pick<OutboxItem, 'name' | 'email'>;

/** Whether a stored value is an outbox item (`chat_outbox` may be damaged or from another version). */
export function isOutboxItem(value: unknown): value is OutboxItem {
  const item = value as Partial<OutboxItem> | null;
  return typeof item?.client_message_id === 'string' && typeof item.body === 'string' && typeof item.created_at === 'string';
}

/** The visitor's outbox, persisted as `chat_outbox` so a send survives reloads. */
export const visitorOutbox = (store: KeyValueStore): Outbox<OutboxItem> => new Outbox(store, KEYS.outbox, isOutboxItem);
