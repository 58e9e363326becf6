import { useEffect, useState } from 'preact/hooks';
import { createToken, listTokens, revokeToken, type ApiToken, type TokenScope } from './tokens-api.js';

const SCOPES: { scope: TokenScope; label: string }[] = [
  { scope: 'read', label: 'Read: GET requests only' },
  { scope: 'write', label: 'Write: what an agent may do' },
  { scope: 'admin', label: 'Admin: everything you may do' },
];

const when = (iso: string | null, none: string): string => (iso === null ? none : new Date(iso).toLocaleString());

/** `/stratus/tokens`: admins create, list and revoke API tokens (docs/dashboard.md, "API tokens"). */
export function TokensPage() {
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [expires, setExpires] = useState('');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const reload = async () => {
    const res = await listTokens();
    if (res.ok) setTokens(res.data.api_tokens);
    else setError(res.error.message);
    setLoaded(true);
  };
  useEffect(() => void reload(), []);

  const toggle = (scope: TokenScope, on: boolean) => setScopes(on ? [...scopes, scope] : scopes.filter((s) => s !== scope));

  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    const res = await createToken({ name: name.trim(), scopes, expires_at: expires === '' ? null : expires });
    if (!res.ok) {
      const fields = res.error.fields ?? {};
      const first = Object.entries(fields)[0];
      setError(first ? `${first[0].replace('_', ' ')} ${first[1]}.` : res.error.message);
      return;
    }
    setCreated({ token: res.data.token, name: res.data.api_token.name });
    setName('');
    setStatus(`Token ${res.data.api_token.name} created.`);
    await reload();
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setStatus('Token copied.');
    } catch {
      setStatus('Copying failed: select the token and copy it.');
    }
  };

  const revoke = async (t: ApiToken) => {
    setConfirming(null);
    const res = await revokeToken(t.id);
    if (res.ok) setStatus(`Token ${t.name} revoked.`);
    else setError(res.error.message);
    await reload();
  };

  return (
    <main class="page tokens-page" id="main" aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <p class="muted">Scripts and other systems use a token in the header <code>Authorization: Bearer …</code> to call the agent API as you.</p>
      {created && (
        <section class="token-created" data-parley="token-created" aria-labelledby="token-created-title">
          <h2 id="token-created-title">Token {created.name}</h2>
          <p>Copy it now: it will not be shown again.</p>
          <div class="token-value">
            <input id="new-token" readOnly value={created.token} aria-label="New token" data-parley="new-token" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="primary" onClick={() => void copy()}>Copy</button>
            <button type="button" class="ghost" onClick={() => setCreated(null)}>Done</button>
          </div>
        </section>
      )}
      <h2>Tokens</h2>
      {loaded && tokens.length === 0 && <p class="muted">No tokens yet.</p>}
      <ul class="token-list" data-parley="token-list">
        {tokens.map((t) => (
          <li key={t.id} data-parley="api-token" data-token-id={String(t.id)}>
            <div class="token-text">
              <strong>{t.name}</strong>
              <span class="muted">
                {t.scopes.join(', ')} · by {t.agent.name} · last used {when(t.last_used_at, 'never')} · expires {when(t.expires_at, 'never')}
              </span>
            </div>
            {confirming === t.id ? (
              <span class="token-actions">
                <button type="button" class="danger" onClick={() => void revoke(t)}>Revoke {t.name}</button>
                <button type="button" class="ghost" onClick={() => setConfirming(null)}>Keep</button>
              </span>
            ) : (
              <button type="button" onClick={() => setConfirming(t.id)} aria-label={`Revoke token ${t.name}`}>Revoke</button>
            )}
          </li>
        ))}
      </ul>
      <form class="token-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-token-title">
        <h2 id="new-token-title">New token</h2>
        <label for="token-name">Name</label>
        <input id="token-name" value={name} maxLength={100} required aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'token-error' : undefined} onInput={(e) => setName(e.currentTarget.value)} />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map(({ scope, label }) => (
            <label key={scope} class="check">
              <input type="checkbox" name="scope" value={scope} checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} />
              {label}
            </label>
          ))}
        </fieldset>
        <label for="token-expires">Expires on (optional)</label>
        <input id="token-expires" type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
        <button type="submit" class="primary">Create token</button>
        <p id="token-error" class="error" role="alert">{error}</p>
      </form>
      <p class="sr-only" role="status">{status}</p>
    </main>
  );
}
