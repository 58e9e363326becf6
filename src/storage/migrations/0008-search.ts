import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Full-text search (docs/architecture.md, "Data"; docs/api.md, "Search").
 * - SQLite: FTS5 tables `messages_fts` and `notes_fts` read their text from `messages.body` and
 *   `notes.body` (external content, so bodies are not stored twice) and are kept in step by
 *   triggers; `conversations_fts` holds "name email" of each visitor (a copy: a few bytes each).
 * - PostgreSQL: GIN indexes on `to_tsvector('simple', …)`; queries repeat these expressions
 *   exactly (src/storage/search-index-pgsql.ts) so the planner uses them.
 * 'simple' and unicode61: no stemming and no stop words, so both engines match the same words.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  if (engine === 'pgsql') {
    await sql`create index messages_body_search_idx on messages using gin (to_tsvector('simple', body))`.execute(db);
    await sql`create index notes_body_search_idx on notes using gin (to_tsvector('simple', body))`.execute(db);
    await sql`create index conversations_visitor_search_idx on conversations using gin (to_tsvector('simple', coalesce(visitor_name, '') || ' ' || coalesce(visitor_email, '')))`.execute(db);
    return;
  }
  for (const table of ['messages', 'notes']) {
    const fts = sql.raw(`${table}_fts`);
    const source = sql.raw(table);
    await sql`create virtual table ${fts} using fts5(body, content='${source}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_fts_insert`)} after insert on ${source} begin
      insert into ${fts}(rowid, body) values (new.id, new.body);
    end`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_fts_delete`)} after delete on ${source} begin
      insert into ${fts}(${fts}, rowid, body) values ('delete', old.id, old.body);
    end`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_fts_update`)} after update of body on ${source} begin
      insert into ${fts}(${fts}, rowid, body) values ('delete', old.id, old.body);
      insert into ${fts}(rowid, body) values (new.id, new.body);
    end`.execute(db);
    // Rows written before this migration.
    await sql`insert into ${fts}(${fts}) values ('rebuild')`.execute(db);
  }

  const visitor = (row: 'new' | 'c') => sql.raw(`trim(coalesce(${row}.visitor_name, '') || ' ' || coalesce(${row}.visitor_email, ''))`);
  await sql`create virtual table conversations_fts using fts5(visitor, tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`create trigger conversations_fts_insert after insert on conversations begin
    insert into conversations_fts(rowid, visitor) values (new.id, ${visitor('new')});
  end`.execute(db);
  await sql`create trigger conversations_fts_delete after delete on conversations begin
    delete from conversations_fts where rowid = old.id;
  end`.execute(db);
  await sql`create trigger conversations_fts_update after update of visitor_name, visitor_email on conversations begin
    delete from conversations_fts where rowid = old.id;
    insert into conversations_fts(rowid, visitor) values (new.id, ${visitor('new')});
  end`.execute(db);
  await sql`insert into conversations_fts(rowid, visitor) select c.id, ${visitor('c')} from conversations c`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // `down` is not told the engine: `version()` exists on PostgreSQL only (a failed statement on
  // SQLite leaves its transaction usable, unlike on PostgreSQL, so the probe runs there harmlessly).
  const pg = await sql`select version()`.execute(db).then(() => true, () => false);
  if (pg) {
    for (const index of ['messages_body_search_idx', 'notes_body_search_idx', 'conversations_visitor_search_idx']) await sql`drop index if exists ${sql.raw(index)}`.execute(db);
    return;
  }
  for (const table of ['messages', 'notes', 'conversations']) {
    for (const op of ['insert', 'delete', 'update']) await sql`drop trigger if exists ${sql.raw(`${table}_fts_${op}`)}`.execute(db);
    await sql`drop table if exists ${sql.raw(`${table}_fts`)}`.execute(db);
  }
}
