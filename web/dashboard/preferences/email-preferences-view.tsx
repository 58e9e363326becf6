import { useSessionState } from '../use-session.js';
import type { EmailPreference, EmailPreferences } from './email-preferences.js';

const CHOICES: [EmailPreference, string, string][] = [
  ['notify_email', 'Email me about new conversations', 'When a visitor starts a chat: sent to the agents available then, or to everyone when nobody is.'],
  ['notify_unanswered', 'Email me about conversations left unanswered', 'When a visitor has waited past the delay without a reply.'],
];

/** The agent's own email preferences as two checkboxes, each saved when changed (docs/dashboard.md, "Email preferences"). */
export function EmailPreferencesSection({ prefs }: { prefs: EmailPreferences }) {
  const state = useSessionState(prefs);
  return (
    <section class="new-agent email-preferences" aria-labelledby="email-preferences-title" data-parley="email-preferences">
      <h2 id="email-preferences-title">Email preferences</h2>
      <fieldset class="choices" aria-busy={state.saving.length > 0 ? 'true' : 'false'}>
        <legend class="sr-only">Emails sent to you</legend>
        {CHOICES.map(([field, name, hint]) => (
          <div key={field} class="preference">
            <label class="check">
              <input
                type="checkbox"
                name={field}
                checked={state.values[field]}
                aria-describedby={`${field}-hint`}
                onChange={(e) => void prefs.set(field, e.currentTarget.checked)}
              />
              {name}
            </label>
            <p class="hint" id={`${field}-hint`}>{hint}</p>
          </div>
        ))}
      </fieldset>
      <div aria-live="polite" data-parley="email-preferences-state">
        {state.saving.length > 0 && <p class="muted">Saving…</p>}
        {state.notice && <p class="notice" role="status">{state.notice}</p>}
        {state.alert && <p class="error" role="alert">{state.alert}</p>}
      </div>
    </section>
  );
}
