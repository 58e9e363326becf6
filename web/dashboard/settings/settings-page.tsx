import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Agent, OfflineMode } from '../types.js';
import { useSessionState } from '../use-session.js';
import { AssignmentSection } from './assignment-section.js';
import { describedBy, FieldError } from './field-error.js';
import { errorId, errorSlots, placeErrors } from './field-errors.js';
import { HoursEditor } from './hours-editor.js';
import { httpSettingsApi } from './settings-api.js';
import { isDirty, SettingsForm } from './settings-form.js';
import { browserTimeZone, supportedTimeZones, timeZoneChoices } from './time-zones.js';

const OFFLINE_MODES: [OfflineMode, string][] = [
  ['form', 'Ask for an email and take a message'],
  ['hide', 'Hide the chat launcher'],
];

/** `/stratus/settings`: business hours, the away message, what the widget does when nobody is available, greeting, colour, automatic assignment and the transcript on close. Admins only. */
export function SettingsPage({ self }: { self: Agent }) {
  const [form] = useState(() => new SettingsForm({ api: httpSettingsApi, defaultZone: browserTimeZone() }));
  const state = useSessionState(form);
  const admin = self.role === 'admin';
  useEffect(() => {
    if (admin) void form.load();
  }, [form, admin]);
  const { draft, refusals } = state;
  const main = useRef<HTMLElement>(null);
  // After a refused save, focus goes to the first field with a problem (or the summary): it may be far up the page.
  useEffect(() => {
    if (refusals === 0) return;
    const target = main.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? main.current?.querySelector<HTMLElement>('[data-parley="settings-alert"]');
    target?.focus();
  }, [refusals]);
  const zones = useMemo(() => timeZoneChoices(supportedTimeZones(), draft?.hours.timezone ?? ''), [draft?.hours.timezone]);

  if (!admin) {
    return (
      <main class="page" id="main">
        <h1>Chat settings</h1>
        <p role="alert">Only admins can change the chat settings.</p>
      </main>
    );
  }

  const placed = draft ? placeErrors(state.errors, errorSlots(draft)) : { at: {}, elsewhere: [] };
  const errors = placed.at;
  const dirty = isDirty(state);
  const submit = (event: Event) => {
    event.preventDefault();
    void form.save();
  };

  return (
    <main class="page settings" id="main" ref={main}>
      <h1>Chat settings</h1>
      <div aria-live="polite">
        {state.notice && <p class="notice" role="status">{state.notice}</p>}
        {state.alert && (
          <div class="error" role="alert" tabIndex={-1} data-parley="settings-alert">
            <p>{state.alert}</p>
            {placed.elsewhere.length > 0 && <ul>{placed.elsewhere.map((line) => <li key={line}>{line}</li>)}</ul>}
          </div>
        )}
      </div>
      {state.phase === 'loading' && <p class="muted">Loading…</p>}
      {draft && (
        <form aria-label="Chat settings" data-parley="chat-settings" onSubmit={submit} noValidate>
          <HoursEditor hours={draft.hours} errors={errors} zones={zones} form={form} />
          <fieldset class="settings-section">
            <legend>When nobody is available</legend>
            <label for="settings-away">Away message</label>
            <textarea id="settings-away" rows={3} value={draft.away_message} onInput={(e) => form.set('away_message', e.currentTarget.value)} {...describedBy('away_message', errors)} />
            <FieldError slot="away_message" errors={errors} />
            <p class="hint">Shown in the chat while nobody is available, with when to expect a reply.</p>
            <fieldset class="choices">
              <legend>Offline mode</legend>
              {OFFLINE_MODES.map(([mode, name]) => (
                <label key={mode} class="check">
                  <input type="radio" name="offline-mode" value={mode} checked={draft.offline_mode === mode} onChange={() => form.setOfflineMode(mode)} {...describedBy('offline_mode', errors)} />
                  {name}
                </label>
              ))}
              <FieldError slot="offline_mode" errors={errors} />
            </fieldset>
          </fieldset>
          <fieldset class="settings-section">
            <legend>The chat</legend>
            <label for="settings-greeting">Greeting</label>
            <textarea id="settings-greeting" rows={2} value={draft.greeting} onInput={(e) => form.set('greeting', e.currentTarget.value)} {...describedBy('greeting', errors)} />
            <FieldError slot="greeting" errors={errors} />
            <label for="settings-color">Colour</label>
            <span class="color-field">
              <input id="settings-color" type="color" value={draft.color} onInput={(e) => form.set('color', e.currentTarget.value)} {...describedBy('color', errors)} />
              <span class="muted">{draft.color}</span>
            </span>
            <FieldError slot="color" errors={errors} />
          </fieldset>
          <AssignmentSection draft={draft} errors={errors} form={form} />
          <fieldset class="settings-section">
            <legend>Email to visitors</legend>
            <label class="check">
              <input
                type="checkbox"
                name="transcript_on_close"
                checked={draft.transcript_on_close}
                onChange={(e) => form.setTranscriptOnClose(e.currentTarget.checked)}
                aria-describedby={errors.transcript_on_close ? `settings-transcript-hint ${errorId('transcript_on_close')}` : 'settings-transcript-hint'}
                aria-invalid={errors.transcript_on_close ? true : undefined}
              />
              Email visitors the transcript when a conversation closes
            </label>
            <p class="hint" id="settings-transcript-hint">Only visitors who gave an email address get it.</p>
            <FieldError slot="transcript_on_close" errors={errors} />
          </fieldset>
          <div class="save-bar">
            <button type="submit" class="primary" disabled={!dirty || state.saving}>
              {state.saving ? 'Saving…' : 'Save'}
            </button>
            <span class="muted" data-parley="settings-dirty">{dirty ? 'Unsaved changes' : 'No unsaved changes'}</span>
          </div>
        </form>
      )}
    </main>
  );
}
