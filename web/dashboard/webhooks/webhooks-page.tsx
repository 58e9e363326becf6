import { useEffect, useState } from 'preact/hooks';
import { WebhookDeliveries } from './webhook-deliveries.js';
import { createWebhook, deleteWebhook, listWebhooks, setWebhookActive, WEBHOOK_EVENTS, type Webhook, type WebhookEvent } from './webhooks-api.js';

/** `/stratus/webhooks`: admins register endpoints, see their secrets and delivery logs, redeliver and re-enable (docs/webhooks.md). */
export function WebhooksPage() {
  const [webhooks, setWebhooks] = useState<Webhook[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([...WEBHOOK_EVENTS]);
  const [notes, setNotes] = useState(false);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const reload = async () => {
    const res = await listWebhooks();
    if (res.ok) setWebhooks(res.data.webhooks);
    else setError(res.error.message);
    setLoaded(true);
  };
  useEffect(() => void reload(), []);

  const toggle = (event: WebhookEvent, on: boolean) => setEvents(on ? [...events, event] : events.filter((e) => e !== event));

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const res = await createWebhook({ url: url.trim(), events, include_notes: notes });
    if (!res.ok) {
      const first = Object.entries(res.error.fields ?? {})[0];
      setError(first ? `${first[0].replace('_', ' ')} ${first[1]}.` : res.error.message);
      return;
    }
    setUrl('');
    setStatus(`Endpoint ${res.data.webhook.url} added.`);
    await reload();
  };

  const setActive = async (w: Webhook, active: boolean) => {
    const res = await setWebhookActive(w.id, active);
    if (res.ok) setStatus(`Endpoint ${w.url} ${active ? 'enabled' : 'disabled'}.`);
    else setError(res.error.message);
    await reload();
  };

  const remove = async (w: Webhook) => {
    setConfirming(null);
    const res = await deleteWebhook(w.id);
    if (res.ok) setStatus(`Endpoint ${w.url} deleted.`);
    else setError(res.error.message);
    await reload();
  };

  return (
    <main class="page webhooks-page" id="main" aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <p class="muted">Parley POSTs chat events to these addresses, signed with each endpoint's secret (X-Parley-Signature). See docs/webhooks.md for the payloads and the code that verifies them.</p>
      <h2>Endpoints</h2>
      {loaded && webhooks.length === 0 && <p class="muted">No endpoints yet.</p>}
      <ul class="webhook-list" data-parley="webhook-list">
        {webhooks.map((w) => (
          <li key={w.id} data-parley="webhook" data-webhook-id={String(w.id)}>
            <div class="webhook-head">
              <strong class="webhook-url">{w.url}</strong>
              <span class={w.active ? 'badge' : 'badge warning'} data-parley="webhook-state">{w.active ? 'Active' : 'Disabled'}</span>
            </div>
            <p class="muted">
              {w.events.join(', ')}
              {w.include_notes ? ', internal notes' : ''}
              {w.failing_since && w.active ? ` · failing since ${new Date(w.failing_since).toLocaleString()}` : ''}
              {w.disabled_at && !w.active ? ` · disabled ${new Date(w.disabled_at).toLocaleString()}` : ''}
            </p>
            <label for={`secret-${w.id}`}>Signing secret</label>
            <input id={`secret-${w.id}`} class="webhook-secret" readOnly value={w.secret} data-parley="webhook-secret" onFocus={(e) => e.currentTarget.select()} />
            <div class="webhook-actions">
              <button type="button" aria-expanded={open === w.id ? 'true' : 'false'} onClick={() => setOpen(open === w.id ? null : w.id)} aria-label={`Deliveries of ${w.url}`}>
                Deliveries
              </button>
              {w.active ? (
                <button type="button" onClick={() => void setActive(w, false)} aria-label={`Disable ${w.url}`}>Disable</button>
              ) : (
                <button type="button" class="primary" onClick={() => void setActive(w, true)} aria-label={`Re-enable ${w.url}`}>Re-enable</button>
              )}
              {confirming === w.id ? (
                <>
                  <button type="button" class="danger" onClick={() => void remove(w)}>Delete {w.url}</button>
                  <button type="button" class="ghost" onClick={() => setConfirming(null)}>Keep</button>
                </>
              ) : (
                <button type="button" class="ghost" onClick={() => setConfirming(w.id)} aria-label={`Delete endpoint ${w.url}`}>Delete</button>
              )}
            </div>
            {open === w.id && <WebhookDeliveries webhook={w} onStatus={setStatus} />}
          </li>
        ))}
      </ul>
      <form class="webhook-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-webhook-title">
        <h2 id="new-webhook-title">New endpoint</h2>
        <label for="webhook-url">URL</label>
        <input id="webhook-url" type="url" value={url} maxLength={2000} required placeholder="https://shop.example/hooks/parley" aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'webhook-error' : undefined} onInput={(e) => setUrl(e.currentTarget.value)} />
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} class="check">
              <input type="checkbox" name="event" value={event} checked={events.includes(event)} onChange={(e) => toggle(event, e.currentTarget.checked)} />
              {event}
            </label>
          ))}
          <label class="check">
            <input type="checkbox" name="include_notes" checked={notes} onChange={(e) => setNotes(e.currentTarget.checked)} />
            Internal notes too (note.created)
          </label>
        </fieldset>
        <button type="submit" class="primary">Add endpoint</button>
        <p id="webhook-error" class="error" role="alert">{error}</p>
      </form>
      <p class="sr-only" role="status">{status}</p>
    </main>
  );
}
