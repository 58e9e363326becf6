import type { FastifyInstance } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { ApiTokenService } from '../../agents/api-tokens.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { apiTokenBody } from '../api-token-schema.js';
import { pathId } from '../schemas.js';
import { validate } from '../validation.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface ApiTokenRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  tokens: ApiTokenService;
}

/**
 * API tokens (docs/api.md, "API tokens"): admins only, in a session or with an `admin` token.
 * The token is in the answer to its creation and nowhere else.
 */
export async function apiTokenRoutes(app: FastifyInstance, deps: ApiTokenRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));
  app.addHook('preHandler', async (request) => {
    if (sessionAgent(request).role !== 'admin') throw new HttpFailure('forbidden', 'Only admins can manage API tokens.');
  });

  app.get('/api/agent/tokens', async () => ({ api_tokens: await deps.tokens.list() }));

  app.post('/api/agent/tokens', async (request, reply) => {
    const input = validate(apiTokenBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await deps.tokens.create(sessionAgent(request), input.value);
    return result.ok ? reply.code(201).send(result.value) : sendFailure(reply, result.error);
  });

  app.delete('/api/agent/tokens/:id', async (request, reply) => {
    const id = pathId((request.params as { id: string }).id);
    if (id === undefined) return sendFailure(reply, { code: 'not_found', message: 'API token not found.' });
    const result = await deps.tokens.revoke(id);
    return result.ok ? reply.code(204).send() : sendFailure(reply, result.error);
  });
}
