import { useState } from 'preact/hooks';
import { api } from './api.js';
import type { EmailPreferences } from './preferences/email-preferences.js';
import { EmailPreferencesSection } from './preferences/email-preferences-view.js';
import type { Agent } from './types.js';

/** `/stratus/account`: the agent's own email preferences, password, and "log out everywhere". */
export function AccountPage({ self, prefs, onLoggedOutEverywhere }: { self: Agent; prefs: EmailPreferences; onLoggedOutEverywhere: () => void }) {
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const report = (ok: boolean, text: string) => {
    setMessage(ok ? text : '');
    setError(ok ? '' : text);
  };

  const changePassword = async (event: Event) => {
    event.preventDefault();
    if (form.next !== form.confirm) return report(false, 'The new password and its confirmation differ.');
    setBusy(true);
    const result = await api('POST', '/api/agent/me/password', { current_password: form.current, password: form.next });
    setBusy(false);
    if (result.ok) {
      setForm({ current: '', next: '', confirm: '' });
      return report(true, 'Password changed. Your other sessions have been logged out.');
    }
    const fields = result.error.fields ? ` (${Object.entries(result.error.fields).map(([k, v]) => `${k.replace('_', ' ')} ${v}`).join(', ')})` : '';
    report(false, `${result.error.message}${fields}`);
  };

  const logoutEverywhere = async () => {
    if (!window.confirm('Log out of every browser and device, this one included?')) return;
    const result = await api('POST', '/api/agent/me/logout-all');
    if (result.ok) onLoggedOutEverywhere();
    else report(false, result.error.message);
  };

  return (
    <main class="page" id="main">
      <h1>Your account</h1>
      <p>
        Logged in as {self.name} ({self.email}).
      </p>
      <div aria-live="polite">
        {message && <p class="notice" role="status">{message}</p>}
        {error && <p class="error" role="alert">{error}</p>}
      </div>
      <EmailPreferencesSection prefs={prefs} />
      <form class="new-agent" data-parley="change-password" onSubmit={changePassword} aria-labelledby="password-title">
        <h2 id="password-title">Change your password</h2>
        <label for="current-password">Current password</label>
        <input id="current-password" type="password" autoComplete="current-password" required value={form.current} onInput={(e) => setForm({ ...form, current: e.currentTarget.value })} />
        <label for="new-password">New password</label>
        <input id="new-password" type="password" autoComplete="new-password" required minLength={8} value={form.next} onInput={(e) => setForm({ ...form, next: e.currentTarget.value })} />
        <label for="confirm-password">Confirm new password</label>
        <input id="confirm-password" type="password" autoComplete="new-password" required minLength={8} value={form.confirm} onInput={(e) => setForm({ ...form, confirm: e.currentTarget.value })} />
        <button type="submit" class="primary" disabled={busy}>Change password</button>
      </form>
      <section class="new-agent" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <p>Logging out everywhere ends your session in every browser and device, this one included, and closes their live connections.</p>
        <button type="button" data-parley="logout-everywhere" onClick={() => void logoutEverywhere()}>Log out everywhere</button>
      </section>
    </main>
  );
}
