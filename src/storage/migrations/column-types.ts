import type { ColumnDefinitionBuilder } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The column types a migration writes on each engine (docs/architecture.md, "Data"): times are
 * epoch milliseconds (`bigint` on PostgreSQL), keys and references 64-bit there, and `id` makes
 * an auto-incrementing primary key.
 */
export function columnTypes(engine: Engine) {
  const pg = engine === 'pgsql';
  return {
    pg,
    pk: pg ? 'bigserial' : 'integer',
    time: pg ? 'bigint' : 'integer',
    ref: pg ? 'bigint' : 'integer',
    id: (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()),
  } as const;
}
