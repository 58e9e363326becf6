import type { ApiResult } from '../api.js';
import { StateStore } from '../session/session-state.js';
import type { Agent } from '../types.js';

/** The email preferences an agent sets for themself (docs/dashboard.md, "Email preferences"). */
export type EmailPreference = 'notify_email' | 'notify_unanswered';

export type EmailPreferenceValues = Record<EmailPreference, boolean>;

export interface EmailPreferencesState {
  values: EmailPreferenceValues;
  /** The preferences with a save under way. */
  saving: EmailPreference[];
  /** "Saved." after the last save, until the next change. */
  notice: string;
  /** Why the last save failed, or ''. */
  alert: string;
}

/** `PATCH /api/agent/me` with one preference; injected so tests drive it without HTTP. */
export type SavePreference = (change: Partial<EmailPreferenceValues>) => Promise<ApiResult<{ agent: Agent }>>;

const NAMES: Record<EmailPreference, string> = {
  notify_email: 'new conversations',
  notify_unanswered: 'conversations left unanswered',
};

/**
 * The agent's own email preferences without their view: a change shows at once and is saved
 * alone; a refused save puts the box back and says why. A late answer to an older save of the
 * same preference never overrides a newer choice.
 */
export class EmailPreferences {
  private readonly store: StateStore<EmailPreferencesState>;
  private readonly latest: Record<EmailPreference, number> = { notify_email: 0, notify_unanswered: 0 };
  /** What the server last confirmed: a refused save goes back to it. */
  private readonly saved: EmailPreferenceValues;

  constructor(
    agent: Pick<Agent, EmailPreference>,
    private readonly save: SavePreference,
  ) {
    this.saved = { notify_email: agent.notify_email, notify_unanswered: agent.notify_unanswered };
    this.store = new StateStore<EmailPreferencesState>({
      values: { ...this.saved },
      saving: [],
      notice: '',
      alert: '',
    });
  }

  get state(): EmailPreferencesState {
    return this.store.state;
  }

  subscribe(listener: (state: EmailPreferencesState) => void): () => void {
    return this.store.subscribe(listener);
  }

  async set(field: EmailPreference, on: boolean): Promise<void> {
    if (on === this.state.values[field]) return;
    const request = (this.latest[field] += 1);
    this.store.update(({ values, saving }) => ({
      values: { ...values, [field]: on },
      saving: saving.includes(field) ? saving : [...saving, field],
      notice: '',
      alert: '',
    }));
    const result = await this.save({ [field]: on });
    if (request !== this.latest[field]) return;
    const saving = this.state.saving.filter((f) => f !== field);
    if (result.ok) {
      this.saved[field] = result.data.agent[field];
      this.store.update(({ values }) => ({ values: { ...values, [field]: result.data.agent[field] }, saving, notice: 'Saved.', alert: '' }));
    } else {
      this.store.update(({ values }) => ({
        values: { ...values, [field]: this.saved[field] },
        saving,
        notice: '',
        alert: `Not saved: your email preference for ${NAMES[field]} is unchanged. ${result.error.message}`,
      }));
    }
  }
}
