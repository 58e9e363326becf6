import { useState } from 'preact/hooks';
import { api, setCsrfToken } from './api.js';
import type { Agent } from './types.js';

interface Props {
  onLoggedIn(agent: Agent): void;
  notice?: string;
}

/** `/stratus/login`: email and password; errors in an alert region. */
export function LoginPage({ onLoggedIn, notice }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    const result = await api<{ agent: Agent; csrf_token: string }>('POST', '/api/agent/login', { email, password }, { quiet401: true });
    setBusy(false);
    if (result.ok) {
      setCsrfToken(result.data.csrf_token);
      onLoggedIn(result.data.agent);
      return;
    }
    if (result.status === 401 || result.status === 422) setError('The email or password is wrong.');
    else if (result.status === 429) setError('Too many attempts. Wait a minute and try again.');
    else setError(`Cannot log in: ${result.error.message}`);
  };

  return (
    <main class="login" id="main">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Parley</h1>
        <p class="muted">Log in to answer your visitors.</p>
        {notice && <p class="notice" role="status">{notice}</p>}
        <label for="login-email">Email</label>
        <input id="login-email" name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <div role="alert" class="error">{error}</div>
        <button type="submit" class="primary" disabled={busy}>Log in</button>
      </form>
    </main>
  );
}
