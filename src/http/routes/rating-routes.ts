import type { FastifyInstance } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { RatingService } from '../../chat/ratings.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { ratingsReportQuery } from '../label-rating-schema.js';
import { validate } from '../validation.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface RatingReportRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  ratings: RatingService;
}

/**
 * `GET /api/agent/reports/ratings?weeks=12` (docs/api.md, "Ratings report"): admins only. The
 * visitor's `POST /api/chat/{id}/rating` is in the customer API (chat-routes.ts).
 */
export async function ratingRoutes(app: FastifyInstance, deps: RatingReportRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));

  app.get('/api/agent/reports/ratings', async (request, reply) => {
    if (sessionAgent(request).role !== 'admin') throw new HttpFailure('forbidden', 'Only admins can read reports.');
    const query = validate(ratingsReportQuery, request.query);
    if (!query.ok) return sendFailure(reply, query.error);
    return deps.ratings.report(query.value.weeks);
  });
}
