import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig, PgTimeouts } from '../config/database-config.js';
import type { Engine } from './engine.js';
import { migrateToLatest } from './migrator.js';
import { createPrivateFile, ensurePrivateDir, restrictFiles } from '../security/private-files.js';
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

/** Defaults of `DB_CONNECT_TIMEOUT`, `DB_STATEMENT_TIMEOUT`, `DB_IDLE_IN_TRANSACTION_TIMEOUT` (docs/configuration.md). */
export const PG_TIMEOUT_DEFAULTS: PgTimeouts = { connectMs: 10_000, statementMs: 30_000, idleInTransactionMs: 60_000 };

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
              // A database that stops answering must fail requests (and /up), not hold them forever.
              ...pgTimeouts(config.timeouts ?? PG_TIMEOUT_DEFAULTS),
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

/** pg's names for the timeouts; 0 turns one off. */
function pgTimeouts(t: PgTimeouts): pg.PoolConfig {
  return { connectionTimeoutMillis: t.connectMs, statement_timeout: t.statementMs, idle_in_transaction_session_timeout: t.idleInTransactionMs };
}

function openSqlite(file: string): SQLite.Database {
  if (file === ':memory:') return configureSqlite(new SQLite(file));
  ensurePrivateDir(dirname(file));
  // Created owner-only before SQLite opens it; SQLite gives -wal and -shm the database file's mode.
  createPrivateFile(file);
  const database = configureSqlite(new SQLite(file));
  restrictFiles([file, `${file}-wal`, `${file}-shm`]);
  return database;
}

function configureSqlite(database: SQLite.Database): SQLite.Database {
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
