import type { FastifyInstance } from 'fastify';
import type { EmbeddedRealtime } from '../../main.js';

/** The Pusher HTTP API under `/apps/{app_id}/…` for the embedded realtime server. */
export function realtimeRoutes(realtime: EmbeddedRealtime): (app: FastifyInstance) => Promise<void> {
  return async (_app) => {
    void realtime;
  };
}
