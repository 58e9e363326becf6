import type { KeyValueStore } from '../../shared/key-value-store.js';
import { KEYS } from './storage.js';
import type { ConversationStatus, Joined, LookupAnswer } from './types.js';

/** The conversation this browser holds a token for (rule 2). */
export interface StoredConversation {
  id: number;
  token: string;
}

export function storedConversation(store: KeyValueStore): StoredConversation | undefined {
  const id = Number(store.getItem(KEYS.conversationId));
  const token = store.getItem(KEYS.token);
  return Number.isInteger(id) && id > 0 && token ? { id, token } : undefined;
}

export function saveConversation(store: KeyValueStore, joined: Pick<Joined, 'conversation' | 'visitor_token'>): void {
  store.setItem(KEYS.conversationId, String(joined.conversation.id));
  store.setItem(KEYS.token, joined.visitor_token);
}

export function forgetConversation(store: KeyValueStore): void {
  store.removeItem(KEYS.conversationId);
  store.removeItem(KEYS.token);
  store.removeItem(KEYS.lastSeq);
}

/**
 * Whether the chat code should load with the page: only when this browser already has a
 * conversation or unsent messages. Otherwise nothing runs until the visitor opens the chat.
 */
export function hasStoredChat(store: Pick<KeyValueStore, 'getItem'>): boolean {
  return Boolean(store.getItem(KEYS.conversationId) || store.getItem(KEYS.outbox));
}

/** What `GET /api/chat/{id}/status` means for a stored conversation (rules 2 and 3). */
export type StatusDecision =
  /** Open and within the resume window: load the transcript, subscribe. */
  | 'resume'
  /** Closed by an agent: show the closed state if the panel is open, else forget it. */
  | 'closed'
  /** Idle past the window: forget it; the next message starts a new conversation. */
  | 'expired'
  /** Unknown or not ours (404): forget it. */
  | 'gone'
  /** No answer (offline, 5xx, 429): keep it and ask again later. */
  | 'retry';

export function decideStatus(httpStatus: number, body: ConversationStatus | undefined): StatusDecision {
  if (httpStatus === 404) return 'gone';
  if (httpStatus !== 200 || !body) return 'retry';
  if (body.status === 'closed') return 'closed';
  return body.resumable ? 'resume' : 'expired';
}

/** What `POST /api/chat/lookup` means when nothing is stored (rules 4–6). */
export type LookupDecision = { kind: 'join'; joined: Joined } | { kind: 'ask'; ticket: string } | { kind: 'new' };

export function decideLookup(answer: LookupAnswer | undefined, resumeByNetwork = true): LookupDecision {
  if (answer?.match === 'device') return { kind: 'join', joined: answer };
  if (answer?.match === 'network' && resumeByNetwork) return { kind: 'ask', ticket: answer.resume_ticket };
  return { kind: 'new' };
}

/** The device traits the fingerprint hashes (docs/widget.md, "Storage and privacy"). */
export interface DeviceTraits {
  canvas: string;
  screen: string;
  colorDepth: number;
  timezone: string;
  language: string;
  platform: string;
}

/** The text that is hashed into `chat_fingerprint`: stable field order, one line per trait. */
export function fingerprintSource(traits: DeviceTraits): string {
  return [traits.canvas, traits.screen, traits.colorDepth, traits.timezone, traits.language, traits.platform].join('\n');
}
