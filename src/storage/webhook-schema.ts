import type { Generated } from 'kysely';

type Millis = number;

/** An endpoint admins registered (docs/webhooks.md); `events` is a JSON array of event names. */
export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  events: string;
  secret: string;
  /** 1: `note.created` is sent too. */
  include_notes: number;
  /** 0 once disabled after persistent failure (or by an admin); `PATCH {active: true}` re-enables. */
  active: number;
  /** When the current run of failures began; null while deliveries succeed. */
  failing_since: Millis | null;
  disabled_at: Millis | null;
  created_at: Millis;
}

/** One event for one endpoint: the durable queue and the delivery log (docs/webhooks.md, "Retries"). */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event: string;
  /** Deliveries of one endpoint and conversation are sent in order of `id`. */
  conversation_id: number | null;
  /** Unique per endpoint: an event derived from state (a close, a rating) is queued once. */
  dedupe_key: string | null;
  /** The exact body POSTed (and signed). */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  /** Claims so far, counted when claimed. */
  attempts: number;
  next_attempt_at: Millis;
  lease_owner: string | null;
  lease_until: Millis | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Millis;
  delivered_at: Millis | null;
}
