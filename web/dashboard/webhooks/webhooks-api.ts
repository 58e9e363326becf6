import { api, type ApiResult } from '../api.js';
import type { WebhookDeliveryDto, WebhookDto, WebhookEventName } from '../../../src/chat/webhooks/webhook-dto.js';

/** The events an endpoint may choose (docs/webhooks.md, "Events"): a copy of the server's list (the browser cannot import values from src/), each name checked against it by the compiler. */
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['conversation.started', 'message.created', 'conversation.assigned', 'conversation.closed', 'rating.created'];
export type WebhookEvent = WebhookEventName;
/** An endpoint as `GET /api/agent/webhooks` lists it (docs/webhooks.md, "Managing endpoints"). */
export type Webhook = WebhookDto;
/** One line of the delivery log. */
export type WebhookDelivery = WebhookDeliveryDto;

export const listWebhooks = (): Promise<ApiResult<{ webhooks: Webhook[] }>> => api('GET', '/api/agent/webhooks');
export const createWebhook = (input: { url: string; events: WebhookEvent[]; include_notes: boolean }): Promise<ApiResult<{ webhook: Webhook }>> => api('POST', '/api/agent/webhooks', input);
export const setWebhookActive = (id: number, active: boolean): Promise<ApiResult<{ webhook: Webhook }>> => api('PATCH', `/api/agent/webhooks/${id}`, { active });
export const deleteWebhook = (id: number): Promise<ApiResult<unknown>> => api('DELETE', `/api/agent/webhooks/${id}`);
export const listDeliveries = (id: number): Promise<ApiResult<{ deliveries: WebhookDelivery[] }>> => api('GET', `/api/agent/webhooks/${id}/deliveries?limit=50`);
export const redeliver = (id: number, deliveryId: number): Promise<ApiResult<{ delivery: WebhookDelivery }>> => api('POST', `/api/agent/webhooks/${id}/deliveries/${deliveryId}/redeliver`);
