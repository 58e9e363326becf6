import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import { parseSelector, type PrivacyService, type SelectorInput } from '../../chat/privacy.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface PrivacyRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  privacy: Pick<PrivacyService, 'export' | 'erase'>;
}

const adminOnly = (request: FastifyRequest): string => {
  const agent = sessionAgent(request);
  if (agent.role !== 'admin') throw new HttpFailure('forbidden', "Only admins can export or erase a visitor's data.");
  return `agent:${agent.id}`;
};

const selectorOf = (value: unknown): SelectorInput => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SelectorInput) : {});

/** A visitor's data for admins (docs/privacy.md): export as JSON, and erasure. */
export async function privacyRoutes(app: FastifyInstance, deps: PrivacyRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));

  app.get('/api/agent/visitors/export', async (request, reply) => {
    const actor = adminOnly(request);
    const selector = parseSelector(selectorOf(request.query));
    if (!selector.ok) return sendFailure(reply, selector.error);
    const data = await deps.privacy.export(selector.value, actor);
    return reply.header('content-disposition', 'attachment; filename="parley-visitor-export.json"').send(data);
  });

  app.post('/api/agent/visitors/erase', async (request, reply) => {
    const actor = adminOnly(request);
    const selector = parseSelector(selectorOf(request.body));
    if (!selector.ok) return sendFailure(reply, selector.error);
    return { erased: await deps.privacy.erase(selector.value, actor) };
  });
}
