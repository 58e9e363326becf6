import { api, type ApiResult } from '../api.js';

/** The events an endpoint may choose (docs/webhooks.md, "Events"). */
export const WEBHOOK_EVENTS = ['conversation.started', 'message.created', 'conversation.assigned', 'conversation.closed', 'rating.created'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An endpoint as `GET /api/agent/webhooks` lists it (docs/webhooks.md, "Managing endpoints"). */
export interface Webhook {
  id: number;
  url: string;
  events: WebhookEvent[];
  include_notes: boolean;
  secret: string;
  active: boolean;
  failing_since: string | null;
  disabled_at: string | null;
  created_at: string;
}

/** One line of the delivery log. */
export interface WebhookDelivery {
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

export const listWebhooks = (): Promise<ApiResult<{ webhooks: Webhook[] }>> => api('GET', '/api/agent/webhooks');
export const createWebhook = (input: { url: string; events: WebhookEvent[]; include_notes: boolean }): Promise<ApiResult<{ webhook: Webhook }>> => api('POST', '/api/agent/webhooks', input);
export const setWebhookActive = (id: number, active: boolean): Promise<ApiResult<{ webhook: Webhook }>> => api('PATCH', `/api/agent/webhooks/${id}`, { active });
export const deleteWebhook = (id: number): Promise<ApiResult<unknown>> => api('DELETE', `/api/agent/webhooks/${id}`);
export const listDeliveries = (id: number): Promise<ApiResult<{ deliveries: WebhookDelivery[] }>> => api('GET', `/api/agent/webhooks/${id}/deliveries?limit=50`);
export const redeliver = (id: number, deliveryId: number): Promise<ApiResult<{ delivery: WebhookDelivery }>> => api('POST', `/api/agent/webhooks/${id}/deliveries/${deliveryId}/redeliver`);
