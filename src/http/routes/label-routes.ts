import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { LabelService } from '../../chat/labels.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { conversationLabelsBody, labelBody } from '../label-rating-schema.js';
import { pathId } from '../schemas.js';
import { validate } from '../validation.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface LabelRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  labels: LabelService;
}

const id = (request: FastifyRequest, what: string): number => {
  const value = pathId((request.params as { id: string }).id);
  if (value === undefined) throw new HttpFailure('not_found', `${what} not found.`);
  return value;
};

const adminOnly = (request: FastifyRequest): void => {
  if (sessionAgent(request).role !== 'admin') throw new HttpFailure('forbidden', 'Only admins can manage labels.');
};

/** Labels (docs/api.md, "Labels"): every agent lists and applies them; admins create and delete them. */
export async function labelRoutes(app: FastifyInstance, deps: LabelRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));

  app.get('/api/agent/labels', async () => ({ labels: await deps.labels.list() }));

  app.post('/api/agent/labels', async (request, reply) => {
    adminOnly(request);
    const input = validate(labelBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await deps.labels.create(input.value.name, input.value.color ?? null);
    return result.ok ? reply.code(201).send({ label: result.value }) : sendFailure(reply, result.error);
  });

  app.delete('/api/agent/labels/:id', async (request, reply) => {
    adminOnly(request);
    const result = await deps.labels.delete(id(request, 'Label'));
    return result.ok ? reply.code(204).send() : sendFailure(reply, result.error);
  });

  app.put('/api/agent/conversations/:id/labels', async (request, reply) => {
    const conversationId = id(request, 'Conversation');
    const input = validate(conversationLabelsBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await deps.labels.setForConversation(conversationId, input.value.labels);
    return result.ok ? { conversation: result.value } : sendFailure(reply, result.error);
  });
}
