import type { KeyValueStore } from '../../shared/key-value-store.js';

const draftKey = (id: number) => `parley.draft.${id}`;

/** The reply being written, per conversation; kept across a session expiry and the new login. */
export function loadDraft(store: KeyValueStore, id: number): string {
  return store.getItem(draftKey(id)) ?? '';
}

export function saveDraft(store: KeyValueStore, id: number, text: string): void {
  if (text) store.setItem(draftKey(id), text);
  else store.removeItem(draftKey(id));
}
