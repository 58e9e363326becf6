import { useEffect, useState } from 'preact/hooks';
import { listDeliveries, redeliver, type Webhook, type WebhookDelivery } from './webhooks-api.js';

const when = (iso: string | null): string => (iso === null ? '' : new Date(iso).toLocaleString());

/** The answer column: the status code, else the error (a timeout, a refused connection). */
const answerOf = (d: WebhookDelivery): string => (d.last_status_code !== null ? String(d.last_status_code) : (d.last_error ?? '—'));

/** One endpoint's delivery log, newest first, with redelivery (docs/webhooks.md, "Managing endpoints"). */
export function WebhookDeliveries({ webhook, onStatus }: { webhook: Webhook; onStatus: (text: string) => void }) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState('');

  const reload = async () => {
    const res = await listDeliveries(webhook.id);
    if (res.ok) setDeliveries(res.data.deliveries);
    else setError(res.error.message);
  };
  useEffect(() => void reload(), [webhook.id]);

  const again = async (d: WebhookDelivery) => {
    const res = await redeliver(webhook.id, d.id);
    if (res.ok) onStatus(`Delivery ${d.id} queued again.`);
    else setError(res.error.message);
    await reload();
  };

  return (
    <section class="webhook-deliveries" aria-labelledby={`deliveries-${webhook.id}`} data-parley="webhook-deliveries">
      <h3 id={`deliveries-${webhook.id}`}>Deliveries</h3>
      <button type="button" class="ghost" onClick={() => void reload()}>Refresh</button>
      {error && <p class="error" role="alert">{error}</p>}
      {deliveries !== null && deliveries.length === 0 && <p class="muted">Nothing sent yet.</p>}
      {deliveries !== null && deliveries.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption class="sr-only">Deliveries to {webhook.url}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Answer</th>
                <th scope="col">Attempts</th>
                <th scope="col">Time</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-parley="webhook-delivery" data-status={d.status}>
                  <td>
                    {d.event}
                    {d.conversation_id !== null && <span class="muted"> #{d.conversation_id}</span>}
                  </td>
                  <td>{d.status}</td>
                  <td>{answerOf(d)}</td>
                  <td>{d.attempts}</td>
                  <td>{d.status === 'pending' && d.next_attempt_at ? `next ${when(d.next_attempt_at)}` : when(d.delivered_at ?? d.created_at)}</td>
                  <td>
                    <button type="button" onClick={() => void again(d)} aria-label={`Redeliver ${d.event} delivery ${d.id}`}>Redeliver</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
