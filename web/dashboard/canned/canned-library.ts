import type { Clock } from '../../shared/clock.js';
import { StateStore } from '../session/session-state.js';
import type { CannedApi, CannedDraft } from './canned-api.js';
import type { CannedResponse } from './slash.js';

export interface CannedLibraryState {
  /** The shared responses and the agent's own, by shortcut. */
  items: CannedResponse[];
  loaded: boolean;
  /** Why the last load failed, or ''. */
  alert: string;
}

/** A save's outcome: field problems to show next to the fields, or a message for the whole form. */
export type CannedSaveResult = { ok: true; saved: CannedResponse } | { ok: false; message: string; fields: Record<string, string> };

/** How long a loaded list is used before the reply box asks again (a colleague may have added one). */
export const CANNED_MAX_AGE_MS = 30_000;

const byShortcut = (a: CannedResponse, b: CannedResponse) => a.shortcut.localeCompare(b.shortcut) || Number(b.shared) - Number(a.shared) || a.id - b.id;

/**
 * The canned responses the reply box offers and the management page edits (docs/dashboard.md,
 * "Canned responses"): one list per dashboard, kept current by this agent's own changes and
 * reloaded when older than `CANNED_MAX_AGE_MS`. DOM-free.
 */
export class CannedLibrary {
  private readonly store = new StateStore<CannedLibraryState>({ items: [], loaded: false, alert: '' });
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;

  constructor(private readonly deps: { api: CannedApi; clock: Pick<Clock, 'now'> }) {}

  get state(): CannedLibraryState {
    return this.store.state;
  }

  subscribe(listener: (state: CannedLibraryState) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Loads the list unless a fresh one is there (`force`: always); concurrent calls share one request. */
  refresh(force = false): Promise<void> {
    if (!force && this.deps.clock.now() - this.loadedAt < CANNED_MAX_AGE_MS) return Promise.resolve();
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Creates (`id` absent) or changes a response; the list shows the saved version at once. */
  async save(draft: CannedDraft, id?: number): Promise<CannedSaveResult> {
    const result = id === undefined ? await this.deps.api.create(draft) : await this.deps.api.update(id, draft);
    if (!result.ok) return { ok: false, message: result.error.message || 'The canned response was not saved.', fields: result.error.fields ?? {} };
    const saved = result.data.canned_response;
    this.store.update(({ items }) => ({ items: [...items.filter((i) => i.id !== saved.id), saved].sort(byShortcut) }));
    return { ok: true, saved };
  }

  /** Deletes a response; answers why not, or '' once it is gone (a 404 means it already was). */
  async remove(id: number): Promise<string> {
    const result = await this.deps.api.remove(id);
    if (!result.ok && result.status !== 404) return result.error.message || 'The canned response was not deleted.';
    this.store.update(({ items }) => ({ items: items.filter((i) => i.id !== id) }));
    return '';
  }

  private async load(): Promise<void> {
    const result = await this.deps.api.list();
    if (!result.ok) {
      this.store.update({ alert: result.error.message || 'The canned responses could not be loaded.' });
      return;
    }
    this.loadedAt = this.deps.clock.now();
    this.store.update({ items: [...result.data.canned_responses].sort(byShortcut), loaded: true, alert: '' });
  }
}
