import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Storage } from '../../src/storage/database.js';
import { PNG_FILE, upload, uploadParts } from './attachments.js';
import type { Harness } from './harness.js';

/** A visitor with something in every table that can hold data about them (docs/privacy.md). */
export interface Visitor {
  id: number;
  token: string;
  email: string;
  name: string;
  ip: string;
  /** The keyed fingerprint as stored (`conversations.client_fingerprint`). */
  fingerprintHash: string;
}

let counter = 0;

/** Starts a conversation as a visitor and gives it a file, a note, a label, a close, a rating, a queued email and a suppression. */
export async function richVisitor(h: Harness, who: { email: string; name: string; ip: string }, admin: Record<string, string>): Promise<Visitor> {
  counter += 1;
  const fingerprint = `fp${String(counter).padStart(14, '0')}privacy`;
  const started = await h.request({ method: 'POST', url: '/api/chat/start', ip: who.ip, json: { fingerprint, name: who.name, email: who.email, message: `Hello, I am ${who.name}`, client_message_id: `p-${counter}` } });
  expect(started.statusCode, started.body).toBe(201);
  const { conversation, visitor_token: token } = started.json<{ conversation: { id: number }; visitor_token: string }>();
  const id = conversation.id;
  const file = await upload(h, `/api/chat/${id}/attachments`, uploadParts(PNG_FILE, { body: 'my receipt' }), { authorization: `Bearer ${token}` }, who.ip);
  expect(file.statusCode, file.body).toBe(201);
  const call = async (method: 'POST' | 'PUT', url: string, json: unknown) => {
    const res = await h.request({ method, url, json, headers: admin });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  await call('POST', `/api/agent/conversations/${id}/notes`, { body: `${who.name} called about ${who.email}` });
  await h.request({ method: 'POST', url: '/api/agent/labels', json: { name: 'vip' }, headers: admin });
  await call('PUT', `/api/agent/conversations/${id}/labels`, { labels: ['vip'] });
  await call('POST', `/api/agent/conversations/${id}/close`, {});
  const rated = await h.request({ method: 'POST', url: `/api/chat/${id}/rating`, ip: who.ip, json: { score: 4, comment: `thanks from ${who.name}` }, headers: { authorization: `Bearer ${token}` } });
  expect(rated.statusCode, rated.body).toBeLessThan(300);
  const db = h.parley.storage.db;
  const now = h.clock.now();
  await db
    .insertInto('email_queue')
    .values({ kind: 'transcript', recipient: who.email.toUpperCase(), subject: `Your chat, ${who.name}`, text_body: 'transcript', html_body: '<p>transcript</p>', send_after: now, created_at: now })
    .execute();
  await db.insertInto('email_suppressions').values({ email: who.email.toLowerCase(), created_at: now }).onConflict((oc) => oc.column('email').doNothing()).execute();
  const hook = await db
    .insertInto('webhooks')
    .values({ url: 'https://hooks.example.test/parley', events: '["message.created"]', secret: 'whsec', include_notes: 0, active: 1, failing_since: null, disabled_at: null, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('webhook_deliveries')
    .values({ webhook_id: hook.id, event: 'message.created', conversation_id: id, dedupe_key: null, payload: JSON.stringify({ visitor: { name: who.name, email: who.email } }), status: 'delivered', attempts: 1, next_attempt_at: now, lease_owner: null, lease_until: null, last_status_code: 200, last_error: null, created_at: now, delivered_at: now })
    .execute();
  await db.updateTable('conversations').set({ visitor_user_id: `user-${who.name}` }).where('id', '=', id).execute();
  const row = await db.selectFrom('conversations').select('client_fingerprint').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, token, ...who, fingerprintHash: row.client_fingerprint ?? '' };
}

/** Every user table of the database (SQLite's included FTS tables), by name. */
export async function tableNames(storage: Storage): Promise<string[]> {
  const rows =
    storage.engine === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(storage.db)).rows
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(storage.db)).rows;
  return rows.map((r) => r.name);
}

/** `table.column` of every text value in the database that contains one of `needles` (any case). */
export async function rowsContaining(storage: Storage, needles: string[]): Promise<string[]> {
  const lower = needles.filter((n) => n !== '').map((n) => n.toLowerCase());
  const found: string[] = [];
  for (const table of await tableNames(storage)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(storage.db);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string' && lower.some((n) => value.toLowerCase().includes(n))) found.push(`${table}.${column}`);
      }
    }
  }
  return found;
}
