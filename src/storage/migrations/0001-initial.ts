import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/** The tables of docs/architecture.md, "Data", one schema for SQLite and PostgreSQL. */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const pg = engine === 'pgsql';
  const pk = pg ? 'bigserial' : 'integer';
  const time = pg ? 'bigint' : 'integer';
  const ref = pg ? 'bigint' : 'integer';

  await db.schema
    .createTable('agents')
    .addColumn('id', pk, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'agent')`))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_seen_at', time)
    .addColumn('deactivated_at', time)
    .execute();

  await db.schema
    .createTable('agent_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', ref, (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_sessions_agent_idx').on('agent_sessions').column('agent_id').execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', pk, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('client_fingerprint', 'text')
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('visitor_token_hash', 'text', (c) => c.notNull())
    .addColumn('visitor_name', 'text')
    .addColumn('visitor_email', 'text')
    .addColumn('page_url', 'text')
    .addColumn('referrer', 'text')
    .addColumn('assigned_agent_id', ref, (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('visitor_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('agent_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_activity_at', time, (c) => c.notNull())
    .addColumn('closed_at', time)
    .execute();
  await db.schema
    .createIndex('conversations_status_activity_idx')
    .on('conversations')
    .columns(['status', 'last_activity_at'])
    .execute();
  await db.schema.createIndex('conversations_ip_idx').on('conversations').columns(['client_ip', 'status']).execute();
  await db.schema.createIndex('conversations_fingerprint_idx').on('conversations').column('client_fingerprint').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', pk, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull().check(sql`sender in ('visitor', 'agent', 'system')`))
    .addColumn('agent_id', ref, (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('client_message_id', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addUniqueConstraint('messages_conversation_seq_unique', ['conversation_id', 'seq'])
    .addUniqueConstraint('messages_conversation_client_id_unique', ['conversation_id', 'client_message_id'])
    .execute();

  await db.schema
    .createTable('visitor_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('visible_from_seq', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('visitor_tokens_conversation_idx').on('visitor_tokens').column('conversation_id').execute();

  await db.schema
    .createTable('resume_tickets')
    .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', ref, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('fingerprint_hash', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['resume_tickets', 'visitor_tokens', 'messages', 'conversations', 'agent_sessions', 'agents']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

