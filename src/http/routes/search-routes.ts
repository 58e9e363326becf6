import type { FastifyInstance } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { SearchService } from '../../chat/search.js';
import { sendFailure } from '../../errors/http-failure.js';
import { searchQuery } from '../schemas.js';
import { validate } from '../validation.js';
import { requireAgentSession } from './agent-routes.js';

export interface SearchRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  search: SearchService;
}

/**
 * `GET /api/agent/search?q=…&cursor=` (docs/api.md, "Search"): any agent; messages, internal notes
 * and visitors' names and emails, best match first, `next_cursor` null on the last page.
 */
export async function searchRoutes(app: FastifyInstance, deps: SearchRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));

  app.get('/api/agent/search', async (request, reply) => {
    const query = validate(searchQuery, request.query);
    if (!query.ok) return sendFailure(reply, query.error);
    const result = await deps.search.search(query.value.q, query.value.cursor, query.value.limit);
    return result.ok ? result.value : sendFailure(reply, result.error);
  });
}
