import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Engine } from './engine.js';
import * as initial from './migrations/0001-initial.js';
import * as resumeGuards from './migrations/0002-resume-guards.js';
import * as emailQueue from './migrations/0003-email-queue.js';
import * as availability from './migrations/0004-availability.js';
import * as agentNotifications from './migrations/0005-agent-notifications.js';
import * as followUps from './migrations/0006-follow-ups.js';
import * as inboxTools from './migrations/0007-inbox-tools.js';
import * as search from './migrations/0008-search.js';
import * as attachments from './migrations/0009-attachments.js';
import * as apiTokens from './migrations/0010-api-tokens.js';
import * as webhooks from './migrations/0011-webhooks.js';
import * as identity from './migrations/0012-identity.js';
import * as privacy from './migrations/0013-privacy.js';

type EngineMigration = { up(db: Kysely<unknown>, engine: Engine): Promise<void>; down(db: Kysely<unknown>): Promise<void> };

/** Migrations in order; the name is the key Kysely records in `kysely_migration`. */
const MIGRATIONS: Record<string, EngineMigration> = {
  '0001-initial': initial,
  '0002-resume-guards': resumeGuards,
  '0003-email-queue': emailQueue,
  '0004-availability': availability,
  '0005-agent-notifications': agentNotifications,
  '0006-follow-ups': followUps,
  '0007-inbox-tools': inboxTools,
  '0008-search': search,
  '0009-attachments': attachments,
  '0010-api-tokens': apiTokens,
  '0011-webhooks': webhooks,
  '0012-identity': identity,
  '0013-privacy': privacy,
};

/** Every migration's name, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** Applies every pending migration; the result says which ran and whether one failed. */
export async function migrateToLatest(db: Kysely<unknown>, engine: Engine): Promise<MigrationResultSet> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (d) => m.up(d, engine), down: (d) => m.down(d) };
  }
  // Kysely looks for its bookkeeping tables in every schema unless told which one: another app's
  // (or another test's) schema in the same PostgreSQL database must not count as ours.
  const schema = engine === 'pgsql' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
  return migrator.migrateToLatest();
}
