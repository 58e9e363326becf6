import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Redis for tests: the machine's server (override with TEST_REDIS_URL). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers. Under CI=true an unreachable server is an error, never a skip. */
async function redisAvailable(): Promise<boolean> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`Redis is required in CI but not reachable at ${TEST_REDIS_URL}`, { cause: error });
    console.warn(`Redis not reachable at ${TEST_REDIS_URL}: its suites are skipped (they fail under CI=true).`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when the suites that need Redis must skip (never under CI=true, where this module throws instead). */
export const redisMissing = !(await redisAvailable());

/** A key prefix no other test uses, so tests share the machine's Redis without seeing each other. */
export function freshRedisPrefix(label = 'test'): string {
  return `parley-${label}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under each prefix. */
export async function dropRedisKeys(prefixes: string[]): Promise<void> {
  if (redisMissing || prefixes.length === 0) return;
  const admin = new Redis(TEST_REDIS_URL);
  try {
    for (const prefix of prefixes) {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    }
  } finally {
    await admin.quit();
  }
}

/** `TEST_REDIS_URL` with its host and port replaced by a proxy's on 127.0.0.1. */
export function redisUrlVia(port: number): string {
  const url = new URL(TEST_REDIS_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/** The host and port of `TEST_REDIS_URL`, for a proxy in front of it. */
export function redisTarget(): { host: string; port: number } {
  const url = new URL(TEST_REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
}
