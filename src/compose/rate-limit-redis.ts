import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** The connection for shared rate limits and the health check; fails fast (no queue, 1 s per command) while Redis is away. */
export function openRateLimitRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { connectTimeout: 1_000, commandTimeout: 1_000, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (attempt) => Math.min(attempt * 200, 2_000) });
  let failing = false;
  redis.on('error', (error: unknown) => {
    if (!failing) logger.error({ err: error, component: 'rate-limits' }, 'Redis unreachable: rate limits are not enforced until it is back');
    failing = true;
  });
  redis.on('ready', () => {
    if (failing) logger.warn({ component: 'rate-limits' }, 'Redis is back: rate limits are shared again');
    failing = false;
  });
  return redis;
}

/** `GET /up`'s Redis check: Redis answers, and the realtime bus (when embedded) holds this node's state. */
export async function pingRedis(redis: Redis, busCheck: (() => Promise<void>) | undefined): Promise<void> {
  await redis.ping();
  await busCheck?.();
}
