import { isAbsolute, resolve } from 'node:path';
import type { Problems } from './config-error.js';
import type { RawEnv } from './env-schema.js';

/** PostgreSQL timeouts in milliseconds (0: none); see docs/configuration.md, `DB_*_TIMEOUT`. */
export interface PgTimeouts {
  connectMs: number;
  statementMs: number;
  idleInTransactionMs: number;
}
/** Which engine holds the data: a SQLite file, or a PostgreSQL server. */
export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'pgsql'; url: string; timeouts?: PgTimeouts };

/** A path from the environment, taken relative to the working directory the server starts in. */
export function absolutePath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

/** `DATABASE_URL` picks PostgreSQL; otherwise SQLite, by default in `parley.sqlite` under the storage path. */
export function databaseConfig(e: RawEnv, storagePath: string, problems: Problems): DatabaseConfig {
  if (e.DATABASE_URL !== undefined) {
    if (e.DB_CONNECTION === 'sqlite') problems.add('DB_CONNECTION', 'is "sqlite" but DATABASE_URL is a PostgreSQL URL');
    return { kind: 'pgsql', url: e.DATABASE_URL, timeouts: { connectMs: Math.round(e.DB_CONNECT_TIMEOUT * 1000), statementMs: Math.round(e.DB_STATEMENT_TIMEOUT * 1000), idleInTransactionMs: Math.round(e.DB_IDLE_IN_TRANSACTION_TIMEOUT * 1000) } };
  }
  if (e.DB_CONNECTION === 'pgsql') {
    problems.add('DATABASE_URL', 'is required when DB_CONNECTION=pgsql');
    return { kind: 'pgsql', url: '' };
  }
  const file = e.DB_DATABASE ?? resolve(storagePath, 'parley.sqlite');
  return { kind: 'sqlite', file: file === ':memory:' ? file : absolutePath(file) };
}
