import { StateStore } from '../session/session-state.js';
import type { CannedDraft } from './canned-api.js';
import type { CannedLibrary } from './canned-library.js';
import type { CannedResponse } from './slash.js';

export interface CannedEditorState {
  /** The response being edited, or null for a new one. */
  editing: number | null;
  draft: CannedDraft;
  saving: boolean;
  /** Problems by field (`shortcut`, `body`, `shared`), from the server. */
  errors: Record<string, string>;
  /** Why the last save or delete failed, or ''. */
  alert: string;
  /** What the last action did ("Saved /hello."), or ''. */
  notice: string;
  /** A response whose deletion waits for a second click, or null. */
  confirmingDelete: number | null;
  /** Bumped after each refused save, so the view can focus the first problem. */
  refusals: number;
}

const BLANK: CannedDraft = { shortcut: '', body: '', shared: false };

/** May `agent` change `response`? Their own, and shared ones for admins (docs/api.md, "Canned responses"). */
export const canEdit = (response: Pick<CannedResponse, 'shared'>, role: 'admin' | 'agent'): boolean => !response.shared || role === 'admin';

/** The management page's form without its view (docs/dashboard.md, "Canned responses"). DOM-free. */
export class CannedEditor {
  private readonly store = new StateStore<CannedEditorState>({
    editing: null,
    draft: BLANK,
    saving: false,
    errors: {},
    alert: '',
    notice: '',
    confirmingDelete: null,
    refusals: 0,
  });

  constructor(private readonly library: Pick<CannedLibrary, 'save' | 'remove'>) {}

  get state(): CannedEditorState {
    return this.store.state;
  }

  subscribe(listener: (state: CannedEditorState) => void): () => void {
    return this.store.subscribe(listener);
  }

  set<K extends keyof CannedDraft>(field: K, value: CannedDraft[K]): void {
    this.store.update(({ draft, errors }) => ({ draft: { ...draft, [field]: value }, errors: without(errors, field), notice: '' }));
  }

  edit(response: CannedResponse): void {
    this.store.update({ editing: response.id, draft: { shortcut: response.shortcut, body: response.body, shared: response.shared }, errors: {}, alert: '', notice: '' });
  }

  /** Back to an empty form for a new response. */
  reset(notice = ''): void {
    this.store.update({ editing: null, draft: BLANK, errors: {}, alert: '', notice });
  }

  async save(): Promise<void> {
    const { draft, editing, saving } = this.state;
    if (saving) return;
    this.store.update({ saving: true, alert: '', notice: '' });
    const result = await this.library.save(draft, editing ?? undefined);
    if (result.ok) {
      this.store.update({ saving: false });
      this.reset(`Saved /${result.saved.shortcut}.`);
      return;
    }
    this.store.update(({ refusals }) => ({ saving: false, errors: result.fields, alert: result.message, refusals: refusals + 1 }));
  }

  /** First click asks, second deletes. */
  async remove(response: CannedResponse): Promise<void> {
    if (this.state.confirmingDelete !== response.id) {
      this.store.update({ confirmingDelete: response.id, notice: '', alert: '' });
      return;
    }
    const problem = await this.library.remove(response.id);
    this.store.update({ confirmingDelete: null, alert: problem, notice: problem ? '' : `Deleted /${response.shortcut}.` });
    if (!problem && this.state.editing === response.id) this.reset(this.state.notice);
  }

  cancelDelete(): void {
    this.store.update({ confirmingDelete: null });
  }
}

function without(errors: Record<string, string>, field: string): Record<string, string> {
  const { [field]: _gone, ...rest } = errors;
  return rest;
}
