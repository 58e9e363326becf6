import type { KeyValueStore } from '../../shared/key-value-store.js';

/** Keys in the host page's `sessionStorage`: this tab only, gone when it closes (docs/widget.md, "Storage and privacy"). */
export const PANEL_KEYS = {
  open: 'chat_open',
  draft: 'chat_draft',
} as const;

/** Whether the panel was open on the previous page of this tab: the loader reads it to load the chat code at once. */
export const wasOpen = (store: Pick<KeyValueStore, 'getItem'>): boolean => store.getItem(PANEL_KEYS.open) === '1';

/** What the panel remembers from page to page in one tab: whether it was open, and the text not sent yet. */
export class PanelMemory {
  constructor(private readonly store: KeyValueStore) {}

  get open(): boolean {
    return wasOpen(this.store);
  }

  set open(open: boolean) {
    if (open) this.store.setItem(PANEL_KEYS.open, '1');
    else this.store.removeItem(PANEL_KEYS.open);
  }

  get draft(): string {
    return this.store.getItem(PANEL_KEYS.draft) ?? '';
  }

  /** Blank text is not kept: a draft of spaces is no draft. */
  set draft(text: string) {
    if (text.trim() === '') this.store.removeItem(PANEL_KEYS.draft);
    else this.store.setItem(PANEL_KEYS.draft, text);
  }
}
