import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../ops/metrics.js';
import { sendFailure } from '../http-error.js';

export interface OpsRouteDeps {
  /** Each named check resolves when healthy and throws when not (database, and Redis in multi-node). */
  checks: Record<string, () => Promise<void>>;
  /** Absent on `parley realtime:start`, which serves only `/up`. */
  metrics?: Metrics;
}

/** `GET /up` for load balancers and, with `metrics`, `GET /metrics` for Prometheus. */
export async function opsRoutes(app: FastifyInstance, deps: OpsRouteDeps): Promise<void> {
  app.get('/up', async (request, reply) => {
    const results = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (error) {
          request.log.error({ err: error, check: name }, 'health check failed');
          return [name, 'failing'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.some(([, state]) => state !== 'ok')) {
      return sendFailure(reply, { code: 'service_unavailable', message: `Unhealthy: ${results.filter(([, s]) => s !== 'ok').map(([n]) => n).join(', ')}`, fields: checks });
    }
    return { status: 'ok', checks };
  });

  const metrics = deps.metrics;
  if (!metrics) return;
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
