import type { PendingReply } from './messages.js';

const KEY = 'parley.outbox';

/** Replies not yet acknowledged survive a reload or a new login in this tab. */
export function loadOutbox(): PendingReply[] {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as PendingReply[];
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export function saveOutbox(pending: readonly PendingReply[]): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(pending));
  } catch {
    // Storage full or unavailable: the outbox lives in memory only.
  }
}

export function newClientMessageId(): string {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `agent-${random}`;
}

const draftKey = (id: number) => `parley.draft.${id}`;

/** The reply being written, per conversation; kept across a session expiry and the new login. */
export function loadDraft(id: number): string {
  try {
    return sessionStorage.getItem(draftKey(id)) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(id: number, text: string): void {
  try {
    if (text) sessionStorage.setItem(draftKey(id), text);
    else sessionStorage.removeItem(draftKey(id));
  } catch {
    // Unavailable storage: the draft stays in the text box only.
  }
}
