import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage, migrate, type Storage } from '../../src/storage/database.js';
import type { Engine } from '../../src/storage/engine.js';

/** PostgreSQL for tests: the machine's server, database `test` (override with TEST_DATABASE_URL). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<boolean> | undefined;

/** Whether PostgreSQL answers. Under CI=true an unreachable server is an error, never a skip. */
export async function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI but not reachable at ${TEST_DATABASE_URL}`, { cause: error });
      console.warn(`PostgreSQL not reachable at ${TEST_DATABASE_URL}: its suites are skipped (they fail under CI=true).`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgReachable;
}

/** A fresh, migrated, isolated database: SQLite in memory, or a new PostgreSQL schema dropped on close. */
export async function freshStorage(engine: Engine): Promise<Storage> {
  if (engine === 'sqlite') {
    const storage = openStorage({ kind: 'sqlite', file: ':memory:' });
    await migrate(storage);
    return storage;
  }
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const storage = openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL }, { searchPath: schema, poolSize: 20 });
  const close = async () => {
    await storage.close();
    await withSchemaLock((client) => client.query(`drop schema if exists ${schema} cascade`));
  };
  try {
    // Kysely's migrator reads the catalogue of every schema: creating, migrating and dropping test
    // schemas one at a time keeps parallel test files from pulling a schema away under it.
    await withSchemaLock(async (client) => {
      await client.query(`create schema ${schema}`);
      await migrate(storage);
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { ...storage, close };
}

/** Runs `work` holding a PostgreSQL advisory lock shared by every test process. */
export async function withSchemaLock<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(7270417)');
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The engines every storage-backed suite runs on; PostgreSQL only when reachable (always under CI). */
export const ENGINES: Engine[] = ['sqlite', 'pgsql'];
export const pgMissing = !(await postgresAvailable());
export const skipEngine = (engine: Engine): boolean => engine === 'pgsql' && pgMissing;
