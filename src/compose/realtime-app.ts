import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createHttpServer } from '../http/server-options.js';
import { opsRoutes } from '../ops/ops-routes.js';
import type { RealtimeNode } from '../realtime/realtime-node.js';

/**
 * `parley realtime:start`: the realtime node alone on its own HTTP server, with only `GET /up`, the
 * Pusher HTTP API and the WebSocket endpoint (the seed's `php artisan reverb:start`). Listening is the caller's.
 */
export async function buildRealtimeApp(node: RealtimeNode, logger: Logger, timeouts?: Config['http']['timeouts']): Promise<FastifyInstance> {
  // 164-character channel names in API paths; framework refusals in the documented error shape.
  const app = createHttpServer(logger, timeouts);
  await app.register(opsRoutes, { checks: { realtime: async () => undefined, ...node.checks } });
  await app.register(node.routes);
  node.attach(app.server);
  // Before the HTTP server closes: WebSocket clients are told to reconnect, so nothing keeps it open.
  app.addHook('preClose', async () => node.close());
  return app;
}
