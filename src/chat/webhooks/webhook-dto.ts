/**
 * What the webhook API answers (docs/api.md, "Webhooks"): the server builds these and the
 * dashboard reads them (type-only), so both sides share one definition.
 */
/** The events an endpoint may choose (docs/webhooks.md, "Events"). */
export const WEBHOOK_EVENTS = ['conversation.started', 'message.created', 'conversation.assigned', 'conversation.closed', 'rating.created'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** An endpoint as admins see it (docs/api.md, "Webhooks"); the secret is shown to admins only. */
export interface WebhookDto {
  id: number;
  url: string;
  events: WebhookEventName[];
  include_notes: boolean;
  secret: string;
  active: boolean;
  failing_since: string | null;
  disabled_at: string | null;
  created_at: string;
}

/** One line of an endpoint's delivery log. */
export interface WebhookDeliveryDto {
  id: number;
  event: string;
  conversation_id: number | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
}
