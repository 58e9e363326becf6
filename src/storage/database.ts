import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.js';
import type { Engine } from './engine.js';
import { migrateToLatest } from './migrator.js';
import type { Database } from './schema.js';

/** An open database: the query builder plus which engine is behind it. */
export interface Storage {
  db: Kysely<Database>;
  engine: Engine;
  /** Round-trips a trivial query; used by `/up`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const PG_INT8 = 20;

/** Opens SQLite (WAL mode) or PostgreSQL from configuration. */
export function openStorage(config: DatabaseConfig, options: { poolSize?: number; searchPath?: string } = {}): Storage {
  const db =
    config.kind === 'sqlite'
      ? new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(config.file) }) })
      : new Kysely<Database>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({
              connectionString: config.url,
              max: options.poolSize ?? 10,
              // Millisecond timestamps and ids are bigint; they fit a JS number for the next 285,000 years.
              types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === PG_INT8 ? Number : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
              ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
            }),
          }),
        });
  return {
    db,
    engine: config.kind,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

function openSqlite(file: string): SQLite.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return database;
}

/** Runs pending migrations and throws (with the failing migration's name) when one fails. */
export async function migrate(storage: Storage): Promise<string[]> {
  const { error, results } = await migrateToLatest(storage.db as Kysely<unknown>, storage.engine);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
