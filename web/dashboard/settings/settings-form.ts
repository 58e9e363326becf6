import { StateStore } from '../session/session-state.js';
import type { ChatSettingsDto, OfflineMode } from '../types.js';
import { DEFAULT_RANGE, draftFromHours, hoursFromDraft, hoursProblems, type HoursDraft, type HoursRange, type Weekday } from './hours-draft.js';
import type { SettingsApi } from './settings-api.js';

/** The settings the page edits, as typed so far. */
export interface SettingsDraft {
  hours: HoursDraft;
  away_message: string;
  offline_mode: OfflineMode;
  greeting: string;
  color: string;
  transcript_on_close: boolean;
  auto_assign: boolean;
  /** As typed in the number field: sent as a number, its range checked by the server (docs/api.md, "Chat settings"). */
  max_open_per_agent: string;
}

export type TextField = 'away_message' | 'greeting' | 'color';

export interface SettingsFormState {
  phase: 'loading' | 'ready' | 'failed';
  saved: ChatSettingsDto | null;
  draft: SettingsDraft | null;
  /** Problems by field name (`away_message`, `business_hours.days.mon.0`, …): the server's `error.fields`, or found before sending. */
  errors: Record<string, string>;
  /** "Settings saved." after a save, until the next edit. */
  notice: string;
  /** Why loading or the last save failed, or ''. */
  alert: string;
  saving: boolean;
  /** Counts the saves refused (here or by the server): the view moves focus to the first problem after each. */
  refusals: number;
}

const draftOf = (settings: ChatSettingsDto, defaultZone: string): SettingsDraft => ({
  hours: draftFromHours(settings.business_hours, defaultZone),
  away_message: settings.away_message,
  offline_mode: settings.offline_mode,
  greeting: settings.greeting,
  color: settings.color,
  transcript_on_close: settings.transcript_on_close,
  auto_assign: settings.auto_assign,
  max_open_per_agent: String(settings.max_open_per_agent),
});

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields the draft changes, as `PATCH /api/agent/settings` takes them; empty when nothing changed. */
export function changesOf(state: SettingsFormState): Partial<ChatSettingsDto> {
  const { saved, draft } = state;
  if (!saved || !draft) return {};
  const changes: Partial<ChatSettingsDto> = {};
  const hours = hoursFromDraft(draft.hours);
  // Compared in the draft's own shape: the server may list closed days as [] where the draft leaves them out.
  if (!same(hours, hoursFromDraft(draftFromHours(saved.business_hours, draft.hours.timezone)))) changes.business_hours = hours;
  for (const field of ['away_message', 'offline_mode', 'greeting', 'color', 'transcript_on_close', 'auto_assign'] as const) {
    if (draft[field] !== saved[field]) Object.assign(changes, { [field]: draft[field] });
  }
  // Compared as numbers: "10.0" is the 10 saved. Blank ('' is 0) counts as a change, refused before sending.
  const maxOpen = Number(draft.max_open_per_agent.trim());
  if (maxOpen !== saved.max_open_per_agent) changes.max_open_per_agent = maxOpen;
  return changes;
}

/**
 * What can be told before sending: a limit that is not a number at all (JSON has no such number).
 * Whole numbers out of range go to the server, whose answer names the range.
 */
function numberProblems(draft: SettingsDraft): Record<string, string> {
  const typed = draft.max_open_per_agent.trim();
  return typed === '' || !Number.isFinite(Number(typed)) ? { max_open_per_agent: 'Give a whole number of conversations.' } : {};
}

export const isDirty = (state: SettingsFormState): boolean => Object.keys(changesOf(state)).length > 0;

/** Drops the problems reported for `key` and everything under it: the field was edited since. */
const without = (errors: Record<string, string>, key: string) =>
  Object.fromEntries(Object.entries(errors).filter(([name]) => name !== key && !name.startsWith(`${key}.`)));

/**
 * The chat settings page without its view (docs/dashboard.md, "Chat settings"): loads the settings,
 * holds the draft, tells whether it changed, checks the hours before sending, sends only what
 * changed, and keeps the server's field errors for the view to show next to each field.
 */
export class SettingsForm {
  private readonly store: StateStore<SettingsFormState>;

  constructor(private readonly deps: { api: SettingsApi; defaultZone: string }) {
    this.store = new StateStore<SettingsFormState>({ phase: 'loading', saved: null, draft: null, errors: {}, notice: '', alert: '', saving: false, refusals: 0 });
  }

  get state(): SettingsFormState {
    return this.store.state;
  }

  subscribe(listener: (state: SettingsFormState) => void): () => void {
    return this.store.subscribe(listener);
  }

  async load(): Promise<void> {
    const result = await this.deps.api.load();
    if (result.ok) this.accept(result.data.settings, '');
    else this.store.update({ phase: 'failed', alert: `The settings could not be loaded: ${result.error.message}` });
  }

  set(field: TextField, value: string): void {
    this.edit(field, (draft) => ({ ...draft, [field]: value }));
  }

  setOfflineMode(mode: OfflineMode): void {
    this.edit('offline_mode', (draft) => ({ ...draft, offline_mode: mode }));
  }

  /** Whether new conversations are assigned round robin (docs/dashboard.md, "Automatic assignment"). */
  setAutoAssign(on: boolean): void {
    this.edit('auto_assign', (draft) => ({ ...draft, auto_assign: on }));
  }

  /** The most open conversations an agent is assigned automatically, as typed. */
  setMaxOpenPerAgent(value: string): void {
    this.edit('max_open_per_agent', (draft) => ({ ...draft, max_open_per_agent: value }));
  }

  /** Whether visitors are emailed the transcript when a conversation closes. */
  setTranscriptOnClose(on: boolean): void {
    this.edit('transcript_on_close', (draft) => ({ ...draft, transcript_on_close: on }));
  }

  useHours(enabled: boolean): void {
    this.editHours('business_hours', (hours) => ({ ...hours, enabled }));
  }

  setTimezone(timezone: string): void {
    this.editHours('business_hours.timezone', (hours) => ({ ...hours, timezone }));
  }

  /** Another opening that day: after the last one, or 09:00–17:00 on a closed day. */
  addRange(day: Weekday): void {
    this.editDay(day, (ranges) => {
      const last = ranges[ranges.length - 1];
      return [...ranges, last ? { start: last.end, end: '23:59' } : { ...DEFAULT_RANGE }];
    });
  }

  removeRange(day: Weekday, index: number): void {
    this.editDay(day, (ranges) => ranges.filter((_, i) => i !== index));
  }

  setRange(day: Weekday, index: number, part: keyof HoursRange, value: string): void {
    this.editHours(`business_hours.days.${day}.${index}`, (hours) => ({
      ...hours,
      days: { ...hours.days, [day]: hours.days[day].map((range, i) => (i === index ? { ...range, [part]: value } : range)) },
    }));
  }

  addHoliday(date = ''): void {
    this.editHours('business_hours.holidays', (hours) => ({ ...hours, holidays: [...hours.holidays, date] }));
  }

  setHoliday(index: number, date: string): void {
    this.editHours(`business_hours.holidays.${index}`, (hours) => ({ ...hours, holidays: hours.holidays.map((d, i) => (i === index ? date : d)) }));
  }

  removeHoliday(index: number): void {
    this.editHours('business_hours.holidays', (hours) => ({ ...hours, holidays: hours.holidays.filter((_, i) => i !== index) }));
  }

  /** Sends what changed; problems found first, or refused by the server, are kept by field. */
  async save(): Promise<void> {
    const { draft, saving } = this.state;
    if (!draft || saving || !isDirty(this.state)) return;
    const problems = { ...hoursProblems(draft.hours), ...numberProblems(draft) };
    if (Object.keys(problems).length > 0) {
      this.store.update(({ refusals }) => ({ errors: problems, notice: '', alert: 'Not saved: check the fields marked below.', refusals: refusals + 1 }));
      return;
    }
    this.store.update({ saving: true, notice: '', alert: '' });
    const result = await this.deps.api.save(changesOf(this.state));
    if (result.ok) return this.accept(result.data.settings, 'Settings saved.');
    const fields = result.error.fields ?? {};
    const alert = Object.keys(fields).length > 0 ? 'Not saved: check the fields marked below.' : `Not saved: ${result.error.message}`;
    this.store.update(({ refusals }) => ({ saving: false, errors: fields, alert, refusals: refusals + 1 }));
  }

  private accept(settings: ChatSettingsDto, notice: string): void {
    this.store.update({ phase: 'ready', saved: settings, draft: draftOf(settings, this.deps.defaultZone), errors: {}, notice, alert: '', saving: false });
  }

  private edit(key: string, change: (draft: SettingsDraft) => SettingsDraft): void {
    this.store.update(({ draft, errors }) => (draft ? { draft: change(draft), errors: without(errors, key), notice: '' } : {}));
  }

  private editHours(key: string, change: (hours: HoursDraft) => HoursDraft): void {
    this.edit(key, (draft) => ({ ...draft, hours: change(draft.hours) }));
  }

  /** Adding or removing a range renumbers the day's ranges: its problems no longer point at the right one. */
  private editDay(day: Weekday, change: (ranges: HoursRange[]) => HoursRange[]): void {
    this.editHours(`business_hours.days.${day}`, (hours) => ({ ...hours, days: { ...hours.days, [day]: change(hours.days[day]) } }));
  }
}
