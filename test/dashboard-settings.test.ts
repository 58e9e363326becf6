import { describe, expect, it } from 'vitest';
import { errorSlots, placeErrors } from '../web/dashboard/settings/field-errors.js';
import { hoursProblems, draftFromHours } from '../web/dashboard/settings/hours-draft.js';
import type { SettingsApi } from '../web/dashboard/settings/settings-api.js';
import { changesOf, isDirty, SettingsForm } from '../web/dashboard/settings/settings-form.js';
import { timeZoneChoices } from '../web/dashboard/settings/time-zones.js';
import type { ChatSettingsDto } from '../web/dashboard/types.js';
import { failureOf, networkFailure, type ApiResult } from '../web/shared/api-result.js';

/** The chat settings page's logic without its view (docs/dashboard.md, "Chat settings"). */

const SETTINGS: ChatSettingsDto = {
  business_hours: null,
  away_message: 'We are away.',
  offline_mode: 'form',
  greeting: 'Hi! How can we help?',
  color: '#2f5bea',
  auto_assign: false,
  max_open_per_agent: 10,
  transcript_on_close: false,
};

/** The settings API over settings held in memory; `sent` lists each PATCH body. */
class FakeSettingsApi implements SettingsApi {
  settings: ChatSettingsDto = SETTINGS;
  readonly sent: Partial<ChatSettingsDto>[] = [];
  /** Answers for the next saves, before the server accepts again. */
  readonly saveAnswers: ApiResult<never>[] = [];
  down = false;

  async load() {
    return this.down ? networkFailure() : { ok: true as const, status: 200, data: { settings: this.settings } };
  }
  async save(changes: Partial<ChatSettingsDto>) {
    this.sent.push(changes);
    const refused = this.saveAnswers.shift();
    if (refused) return refused;
    this.settings = { ...this.settings, ...changes };
    return { ok: true as const, status: 200, data: { settings: this.settings } };
  }
}

const loadedForm = async (api = new FakeSettingsApi()) => {
  const form = new SettingsForm({ api, defaultZone: 'Europe/Paris' });
  await form.load();
  return { form, api };
};

describe('chat settings form: loading and saving', () => {
  it('loads the settings as a draft with nothing to save', async () => {
    const { form } = await loadedForm();
    expect(form.state).toMatchObject({ phase: 'ready', alert: '' });
    expect(form.state.draft).toMatchObject({ away_message: 'We are away.', offline_mode: 'form', greeting: 'Hi! How can we help?', color: '#2f5bea' });
    expect(form.state.draft?.hours.enabled).toBe(false);
    expect(isDirty(form.state)).toBe(false);
  });

  it('says why when the settings cannot be loaded', async () => {
    const api = new FakeSettingsApi();
    api.down = true;
    const { form } = await loadedForm(api);
    expect(form.state).toMatchObject({ phase: 'failed', alert: 'The settings could not be loaded: The server cannot be reached.' });
  });

  it('sends only the fields that changed, then shows "Settings saved." with nothing left to save', async () => {
    const { form, api } = await loadedForm();
    form.set('away_message', 'Back at nine.');
    form.setOfflineMode('hide');
    expect(isDirty(form.state)).toBe(true);
    await form.save();
    expect(api.sent).toEqual([{ away_message: 'Back at nine.', offline_mode: 'hide' }]);
    expect(form.state).toMatchObject({ notice: 'Settings saved.', alert: '', saving: false });
    expect(isDirty(form.state)).toBe(false);
  });

  it('sends the transcript-on-close switch alone when only it changed, and is clean when switched back', async () => {
    const { form, api } = await loadedForm();
    expect(form.state.draft?.transcript_on_close).toBe(false);
    form.setTranscriptOnClose(true);
    form.setTranscriptOnClose(false);
    expect(isDirty(form.state)).toBe(false);
    form.setTranscriptOnClose(true);
    await form.save();
    expect(api.sent).toEqual([{ transcript_on_close: true }]);
    expect(form.state.draft?.transcript_on_close).toBe(true);
    expect(isDirty(form.state)).toBe(false);
  });

  it('is not dirty again once an edit is typed back to the saved value, and Save then sends nothing', async () => {
    const { form, api } = await loadedForm();
    form.set('greeting', 'Hello');
    form.set('greeting', SETTINGS.greeting);
    expect(isDirty(form.state)).toBe(false);
    await form.save();
    expect(api.sent).toEqual([]);
  });

  it('clears the notice at the next edit', async () => {
    const { form } = await loadedForm();
    form.set('color', '#112233');
    await form.save();
    form.set('color', '#445566');
    expect(form.state.notice).toBe('');
  });

  it("keeps the server's field errors, clears one when its field is edited, and keeps the draft", async () => {
    const { form, api } = await loadedForm();
    api.saveAnswers.push(failureOf(422, { error: { code: 'validation_failed', message: 'The request is invalid.', fields: { away_message: 'Too long.', color: 'Not a colour.' } } }));
    form.set('away_message', 'x'.repeat(3000));
    form.set('color', '#000001');
    await form.save();
    expect(form.state).toMatchObject({ errors: { away_message: 'Too long.', color: 'Not a colour.' }, alert: 'Not saved: check the fields marked below.', saving: false, refusals: 1 });
    expect(form.state.draft?.away_message).toHaveLength(3000);

    form.set('away_message', 'Short.');
    expect(form.state.errors).toEqual({ color: 'Not a colour.' });
  });

  it("shows the server's message when a refusal names no field", async () => {
    const { form, api } = await loadedForm();
    api.saveAnswers.push(failureOf(403, { error: { code: 'forbidden', message: 'Only admins can change the chat settings.' } }));
    form.set('greeting', 'Hello');
    await form.save();
    expect(form.state.alert).toBe('Not saved: Only admins can change the chat settings.');
  });
});

describe('chat settings form: automatic assignment', () => {
  it('loads the switch and the limit, and sends both (the limit as a number) when they change', async () => {
    const { form, api } = await loadedForm();
    expect(form.state.draft).toMatchObject({ auto_assign: false, max_open_per_agent: '10' });
    form.setAutoAssign(true);
    form.setMaxOpenPerAgent('3');
    await form.save();
    expect(api.sent).toEqual([{ auto_assign: true, max_open_per_agent: 3 }]);
    expect(form.state.draft).toMatchObject({ auto_assign: true, max_open_per_agent: '3' });
    expect(isDirty(form.state)).toBe(false);
  });

  it('reads a limit typed back to the saved number as unchanged', async () => {
    const { form } = await loadedForm();
    form.setMaxOpenPerAgent('4');
    form.setMaxOpenPerAgent('10.0');
    expect(isDirty(form.state)).toBe(false);
    form.setAutoAssign(true);
    expect(changesOf(form.state)).toEqual({ auto_assign: true });
  });

  it('refuses a blank limit before sending, next to the field, and forgets the problem once it is edited', async () => {
    const { form, api } = await loadedForm();
    form.setMaxOpenPerAgent(' ');
    await form.save();
    expect(api.sent).toEqual([]);
    expect(form.state).toMatchObject({ errors: { max_open_per_agent: 'Give a whole number of conversations.' }, alert: 'Not saved: check the fields marked below.', refusals: 1 });
    form.setMaxOpenPerAgent('5');
    expect(form.state.errors).toEqual({});
  });

  it("leaves the range to the server and keeps its answer for the field, with the draft as typed", async () => {
    const { form, api } = await loadedForm();
    api.saveAnswers.push(failureOf(422, { error: { code: 'validation_failed', message: 'The request is invalid.', fields: { max_open_per_agent: 'must be at most 100' } } }));
    form.setMaxOpenPerAgent('500');
    await form.save();
    expect(api.sent).toEqual([{ max_open_per_agent: 500 }]);
    expect(form.state).toMatchObject({ errors: { max_open_per_agent: 'must be at most 100' }, alert: 'Not saved: check the fields marked below.', refusals: 1 });
    expect(form.state.draft?.max_open_per_agent).toBe('500');
    expect(placeErrors(form.state.errors, errorSlots(form.state.draft!)).at).toEqual({ max_open_per_agent: 'must be at most 100' });
  });
});

describe('chat settings form: business hours', () => {
  it('proposes weekdays 09:00 to 17:00 in the browser zone when hours are first switched on, and sends them', async () => {
    const { form, api } = await loadedForm();
    form.useHours(true);
    await form.save();
    const nineToFive: [string, string][] = [['09:00', '17:00']];
    expect(api.sent).toEqual([{ business_hours: { timezone: 'Europe/Paris', days: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive } } }]);
  });

  it('edits a day with several openings, a closed day, a time zone and closed dates', async () => {
    const { form, api } = await loadedForm();
    form.useHours(true);
    form.setTimezone('America/New_York');
    form.setRange('mon', 0, 'end', '12:00');
    form.addRange('mon');
    form.setRange('mon', 1, 'start', '13:00');
    form.setRange('mon', 1, 'end', '18:00');
    form.removeRange('fri', 0);
    form.addRange('sat');
    form.addHoliday('2026-12-25');
    form.addHoliday('2026-01-01');
    await form.save();
    expect(api.sent[0]?.business_hours).toEqual({
      timezone: 'America/New_York',
      days: { mon: [['09:00', '12:00'], ['13:00', '18:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], sat: [['09:00', '17:00']] },
      holidays: ['2026-01-01', '2026-12-25'],
    });
  });

  it('adds a second opening from the end of the last one', async () => {
    const { form } = await loadedForm();
    form.useHours(true);
    form.addRange('tue');
    expect(form.state.draft?.hours.days.tue).toEqual([{ start: '09:00', end: '17:00' }, { start: '17:00', end: '23:59' }]);
  });

  it('sends null when hours are switched off, and keeps what was typed to switch back on', async () => {
    const api = new FakeSettingsApi();
    api.settings = { ...SETTINGS, business_hours: { timezone: 'Europe/London', days: { mon: [['10:00', '16:00']] } } };
    const { form } = await loadedForm(api);
    form.useHours(false);
    expect(changesOf(form.state)).toEqual({ business_hours: null });
    form.useHours(true);
    expect(isDirty(form.state)).toBe(false);
  });

  it('reads saved hours whose closed days are listed empty as unchanged', async () => {
    const api = new FakeSettingsApi();
    api.settings = { ...SETTINGS, business_hours: { timezone: 'UTC', days: { mon: [['09:00', '17:00']], tue: [], sun: [] }, holidays: [] } };
    const { form } = await loadedForm(api);
    expect(form.state.draft?.hours.days.tue).toEqual([]);
    expect(isDirty(form.state)).toBe(false);
  });

  it('finds openings that close before they open, overlap, or lack a time, and sends nothing until they are fixed', async () => {
    const { form, api } = await loadedForm();
    form.useHours(true);
    form.setRange('mon', 0, 'end', '08:00');
    form.addRange('tue');
    form.setRange('tue', 1, 'start', '16:00');
    form.setRange('wed', 0, 'start', '9am');
    form.setRange('thu', 0, 'end', '24:00');
    form.addHoliday('');
    await form.save();
    expect(api.sent).toEqual([]);
    expect(form.state.errors).toEqual({
      'business_hours.days.mon.0': 'Closes before it opens.',
      'business_hours.days.tue.0': 'Overlaps other hours that day.',
      'business_hours.days.tue.1': 'Overlaps other hours that day.',
      'business_hours.days.wed.0': 'Give both times as HH:MM (24:00 for midnight).',
      'business_hours.holidays.0': 'Give a date.',
    });
    expect(form.state).toMatchObject({ alert: 'Not saved: check the fields marked below.', refusals: 1 });

    form.removeRange('tue', 1);
    expect(Object.keys(form.state.errors)).toEqual(['business_hours.days.mon.0', 'business_hours.days.wed.0', 'business_hours.holidays.0']);
  });

  it('checks nothing about hours that are switched off', () => {
    const draft = draftFromHours(null, 'UTC');
    draft.days.mon = [{ start: '18:00', end: '09:00' }];
    expect(hoursProblems(draft)).toEqual({});
  });
});

describe('chat settings page: where each problem shows', () => {
  const draft = async () => {
    const { form } = await loadedForm();
    form.useHours(true);
    form.addHoliday('2026-12-25');
    return form.state.draft!;
  };

  it('puts a problem next to the narrowest field drawn that names it, and the rest in the summary', async () => {
    const placed = placeErrors(
      {
        'business_hours.days.mon.0.1': 'Invalid time.',
        'business_hours.days.sat': 'Too many openings.',
        'business_hours.timezone': 'Unknown time zone.',
        'business_hours.holidays.0': 'Invalid date.',
        business_hours: 'Invalid.',
        away_message: 'Too long.',
        max_open_per_agent: 'Too small.',
        auto_assign: 'Not a switch.',
        widget_position: 'Unknown.',
      },
      errorSlots(await draft()),
    );
    expect(placed.at).toEqual({
      'business_hours.days.mon.0': 'Invalid time.',
      'business_hours.days.sat': 'Too many openings.',
      'business_hours.timezone': 'Unknown time zone.',
      'business_hours.holidays.0': 'Invalid date.',
      business_hours: 'Invalid.',
      away_message: 'Too long.',
      max_open_per_agent: 'Too small.',
      auto_assign: 'Not a switch.',
    });
    expect(placed.elsewhere).toEqual(['widget position: Unknown.']);
  });

  it('offers every zone the browser knows, plus UTC and the saved zone, sorted and once each', () => {
    expect(timeZoneChoices(['Europe/Paris', 'America/New_York'], 'Etc/GMT+5')).toEqual(['America/New_York', 'Etc/GMT+5', 'Europe/Paris', 'UTC']);
    expect(timeZoneChoices(['UTC', 'Europe/Paris'], 'Europe/Paris')).toEqual(['Europe/Paris', 'UTC']);
  });
});
