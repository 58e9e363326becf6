import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { CannedResponses } from '../../chat/canned-responses.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { cannedCreateBody, cannedPatchBody } from '../canned-schema.js';
import { pathId } from '../schemas.js';
import { validate } from '../validation.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface CannedRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  canned: CannedResponses;
}

/**
 * `GET`/`POST /api/agent/canned-responses`, `PATCH`/`DELETE …/{id}` (docs/api.md, "Canned
 * responses"): behind the agent API's session and CSRF checks.
 */
export async function cannedRoutes(app: FastifyInstance, deps: CannedRouteDeps): Promise<void> {
  const { canned } = deps;
  app.addHook('preHandler', requireAgentSession(deps.agents));
  const cannedId = (request: FastifyRequest): number => {
    const id = pathId((request.params as { id: string }).id);
    if (id === undefined) throw new HttpFailure('not_found', 'Canned response not found.');
    return id;
  };

  app.get('/api/agent/canned-responses', async (request) => ({ canned_responses: await canned.list(sessionAgent(request)) }));

  app.post('/api/agent/canned-responses', async (request, reply) => {
    const input = validate(cannedCreateBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await canned.create(sessionAgent(request), input.value);
    return result.ok ? reply.code(201).send({ canned_response: result.value }) : sendFailure(reply, result.error);
  });

  app.patch('/api/agent/canned-responses/:id', async (request, reply) => {
    const id = cannedId(request);
    const input = validate(cannedPatchBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await canned.update(sessionAgent(request), id, input.value);
    return result.ok ? { canned_response: result.value } : sendFailure(reply, result.error);
  });

  app.delete('/api/agent/canned-responses/:id', async (request, reply) => {
    const result = await canned.delete(sessionAgent(request), cannedId(request));
    return result.ok ? reply.code(204).send() : sendFailure(reply, result.error);
  });
}
