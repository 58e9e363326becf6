import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentService } from '../../agents/agent-service.js';
import { WEBHOOK_EVENTS } from '../../chat/webhooks/webhook-events.js';
import type { WebhookService } from '../../chat/webhooks/webhook-service.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { pathId } from '../schemas.js';
import { validate } from '../validation.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface WebhookRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  webhooks: Pick<WebhookService, 'list' | 'get' | 'create' | 'delete' | 'setActive' | 'deliveries' | 'redeliver'>;
}

const asObject = { error: 'must be a JSON object' } as const;

/** `POST /api/agent/webhooks` (docs/webhooks.md): any http(s) address the server reaches, localhost included (admins only). */
export const webhookBody = z.object(
  {
    url: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .max(2000, 'must be at most 2000 characters')
      .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })),
    events: z
      .array(z.enum(WEBHOOK_EVENTS, { error: `must each be one of ${WEBHOOK_EVENTS.join(', ')}` }), { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of events') })
      .min(1, 'must name at least one event')
      .max(WEBHOOK_EVENTS.length * 2, 'has too many entries'),
    include_notes: z.boolean({ error: 'must be true or false' }).optional(),
  },
  asObject,
);

export const webhookPatchBody = z.object({ active: z.boolean({ error: (i) => (i.input === undefined ? 'is required' : 'must be true or false') }) }, asObject);

export const deliveriesQuery = z.object({
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  before: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(Number.MAX_SAFE_INTEGER, 'is too large').optional(),
});

const idOf = (value: string | undefined, what: string): number => {
  const id = value === undefined ? undefined : pathId(value);
  if (id === undefined) throw new HttpFailure('not_found', `${what} not found.`);
  return id;
};

const adminOnly = (request: FastifyRequest): void => {
  if (sessionAgent(request).role !== 'admin') throw new HttpFailure('forbidden', 'Only admins can manage webhooks.');
};

/** Chat webhooks for admins (docs/webhooks.md, "Managing endpoints"). */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));
  app.addHook('preHandler', async (request) => adminOnly(request));
  const { webhooks } = deps;
  const params = (request: FastifyRequest) => request.params as { id?: string; delivery_id?: string };

  app.get('/api/agent/webhooks', async () => ({ webhooks: await webhooks.list() }));

  app.post('/api/agent/webhooks', async (request, reply) => {
    const input = validate(webhookBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    return reply.code(201).send({ webhook: await webhooks.create(input.value) });
  });

  app.get('/api/agent/webhooks/:id', async (request, reply) => {
    const result = await webhooks.get(idOf(params(request).id, 'Webhook'));
    return result.ok ? { webhook: result.value } : sendFailure(reply, result.error);
  });

  app.patch('/api/agent/webhooks/:id', async (request, reply) => {
    const id = idOf(params(request).id, 'Webhook');
    const input = validate(webhookPatchBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await webhooks.setActive(id, input.value.active);
    return result.ok ? { webhook: result.value } : sendFailure(reply, result.error);
  });

  app.delete('/api/agent/webhooks/:id', async (request, reply) => {
    const result = await webhooks.delete(idOf(params(request).id, 'Webhook'));
    return result.ok ? reply.code(204).send() : sendFailure(reply, result.error);
  });

  app.get('/api/agent/webhooks/:id/deliveries', async (request, reply) => {
    const id = idOf(params(request).id, 'Webhook');
    const query = validate(deliveriesQuery, request.query);
    if (!query.ok) return sendFailure(reply, query.error);
    const result = await webhooks.deliveries(id, query.value.limit, query.value.before);
    return result.ok ? { deliveries: result.value } : sendFailure(reply, result.error);
  });

  app.post('/api/agent/webhooks/:id/deliveries/:delivery_id/redeliver', async (request, reply) => {
    const id = idOf(params(request).id, 'Webhook');
    const result = await webhooks.redeliver(id, idOf(params(request).delivery_id, 'Delivery'));
    return result.ok ? reply.code(202).send({ delivery: result.value }) : sendFailure(reply, result.error);
  });
}
