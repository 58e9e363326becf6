import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';
import { safeEqual } from '../security/hashing.js';
import { sendFailure } from '../errors/http-failure.js';

export interface OpsRouteDeps {
  /** Each named check resolves when healthy and throws when not (database, and Redis in multi-node). */
  checks: Record<string, () => Promise<void>>;
  /** Absent on `parley realtime:start`, which serves only `/up`. */
  metrics?: Metrics;
  /** How long one check may take before it counts as failing (default `UP_CHECK_TIMEOUT_MS`). */
  checkTimeoutMs?: number;
  /** `METRICS_TOKEN`: when set, `/metrics` needs `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
}

/** A check that has not answered by then is failing: a hung database must not hang the load balancer's probe. */
export const UP_CHECK_TIMEOUT_MS = 5_000;

/** `GET /up` for load balancers and, with `metrics`, `GET /metrics` for Prometheus. */
export async function opsRoutes(app: FastifyInstance, deps: OpsRouteDeps): Promise<void> {
  app.get('/up', async (request, reply) => {
    const results = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), deps.checkTimeoutMs ?? UP_CHECK_TIMEOUT_MS, name);
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
  const token = deps.metricsToken;
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined && !safeEqual(`Bearer ${token}`, String(request.headers.authorization ?? ''))) {
      return sendFailure(reply.header('www-authenticate', 'Bearer realm="metrics"'), { code: 'unauthenticated', message: 'Send Authorization: Bearer <METRICS_TOKEN>.' });
    }
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

/** Settles like `work`, or rejects once `ms` have passed; the timer never outlives the race. */
function withTimeout(work: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} check timed out after ${ms} ms`)), ms);
  });
  // A check that settles after losing the race must not surface as an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
