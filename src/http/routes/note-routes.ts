import type { FastifyInstance } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { NoteService } from '../../chat/notes.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { noteBody } from '../note-schema.js';
import { pathId } from '../schemas.js';
import { validate } from '../validation.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';

export interface NoteRouteDeps {
  agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>;
  notes: NoteService;
}

/**
 * `POST /api/agent/conversations/{id}/notes` (docs/api.md, "Internal notes"): any agent, on open
 * or closed conversations; 201 with the new note, 200 with the stored one for a repeated
 * `client_message_id`. Notes are read with the conversation (`GET /api/agent/conversations/{id}`).
 */
export async function noteRoutes(app: FastifyInstance, deps: NoteRouteDeps): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));

  app.post('/api/agent/conversations/:id/notes', async (request, reply) => {
    const id = pathId((request.params as { id: string }).id);
    if (id === undefined) throw new HttpFailure('not_found', 'Conversation not found.');
    const input = validate(noteBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await deps.notes.add(sessionAgent(request), id, input.value.body, input.value.client_message_id ?? null);
    if (!result.ok) return sendFailure(reply, result.error);
    return reply.code(result.value.created ? 201 : 200).send({ note: result.value.note });
  });
}
