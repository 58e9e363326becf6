import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { withTimeout } from '../lib/proc.js';
import { startServer, type BenchServer } from '../lib/servers.js';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Cluster {
  nodes: BenchServer[];
  stop(): Promise<void>;
}

/** The advisory lock test/support/engines.ts holds while it creates, migrates or drops a schema. */
const SCHEMA_LOCK = 7270417;

/**
 * Runs `work` holding the lock the test suites take around schema changes: Kysely's migrator reads
 * every schema's catalogue, so a schema dropped by a test running meanwhile fails our migration.
 */
async function withPg<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await withTimeout(client.query(`select pg_advisory_lock(${SCHEMA_LOCK})`), 60_000, 'PostgreSQL schema lock');
    return await withTimeout(work(client), 60_000, 'PostgreSQL setup');
  } finally {
    await client.end();
  }
}

/** Deletes this run's Redis keys; the unique prefix keeps other runs and tests untouched. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * A fresh PostgreSQL schema (`search_path` in the URL, as the tests' engines helper sets it
 * through the pool option) and a Redis key prefix, both made for this run; nodes started on it
 * share the database, and with `redis` the realtime bus. `drop` stops them and removes both.
 */
export async function pgDatabase(): Promise<{ start(count: number, redis: boolean): Promise<Cluster>; drop(): Promise<void> }> {
  const id = randomBytes(5).toString('hex');
  const schema = `parley_bench_${id}`;
  const prefix = `parley-bench-${id}:`;
  await withPg((c) => c.query(`create schema ${schema}`));
  const database = { DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
  const started: BenchServer[] = [];
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  return {
    async start(count, redis) {
      const env: Record<string, string> = redis ? { ...database, REDIS_URL, REDIS_PREFIX: prefix } : database;
      const nodes: BenchServer[] = [];
      // One after the other, the first holding the schema lock while it migrates.
      for (let i = 0; i < count; i++) {
        const node = i === 0 ? await withPg(() => startServer('parley', env)) : await startServer('parley', env);
        started.push(node);
        nodes.push(node);
      }
      return { nodes, stop: stopAll };
    },
    async drop() {
      await stopAll();
      await withPg((c) => c.query(`drop schema if exists ${schema} cascade`)).catch((e: Error) => console.warn(`  drop schema ${schema}: ${e.message}`));
      await withTimeout(dropRedisKeys(prefix), 10_000, 'Redis cleanup').catch((e: Error) => console.warn(`  redis cleanup: ${e.message}`));
    },
  };
}
