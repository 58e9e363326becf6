import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import { keysetAfter, SOURCE_ORDER, sourceOf, type MessageWindow, type RankedRow, type SearchRanking } from './search-ranking.js';

/**
 * FTS5 ranking (tables of migration 0008): bm25 over `messages_fts`, `notes_fts` and
 * `conversations_fts`. Only the FTS indexes are read here; texts are fetched for the page alone.
 */
export class SqliteSearchRanking implements SearchRanking {
  constructor(private readonly db: Kysely<Database>) {}

  async windowLower(terms: readonly string[], upper: number | null, size: number): Promise<number | null> {
    const below = upper === null ? sql`` : sql`and rowid < ${upper}`;
    // FTS5 walks its doclist backwards for `order by rowid desc` and stops at the offset.
    const { rows } = await sql<{ id: number }>`select rowid as id from messages_fts where messages_fts match ${ftsQuery(terms)} ${below}
      order by rowid desc limit 1 offset ${size - 1}`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  async rank(terms: readonly string[], window: MessageWindow, withOthers: boolean, after: RankedRow | undefined, limit: number): Promise<RankedRow[]> {
    const match = ftsQuery(terms);
    const score = (table: string) => sql.raw(`cast(round(-bm25(${table}) * 1e12) as integer)`);
    const bounds: RawBuilder<unknown>[] = [];
    if (window.upper !== null) bounds.push(sql`and rowid < ${window.upper}`);
    if (window.lower !== null) bounds.push(sql`and rowid >= ${window.lower}`);
    const others = withOthers
      ? sql`union all
        select ${SOURCE_ORDER.note}, rowid, ${score('notes_fts')} from notes_fts where notes_fts match ${match}
        union all
        select ${SOURCE_ORDER.visitor}, rowid, ${score('conversations_fts')} from conversations_fts where conversations_fts match ${match}`
      : sql``;
    const keyset = keysetAfter(after);
    const { rows } = await sql<{ source: number; id: number; score: number }>`
      select source, id, score from (
        select ${SOURCE_ORDER.message} as source, rowid as id, ${score('messages_fts')} as score from messages_fts
          where messages_fts match ${match} ${sql.join(bounds, sql` `)}
        ${others}
      ) ${keyset}
      order by score desc, source asc, id desc
      limit ${limit}`.execute(this.db);
    return rows.map((r) => ({ source: sourceOf(r.source), id: r.id, score: r.score }));
  }
}

/**
 * Every term as an FTS5 string ("…", quotes doubled): operators such as NEAR, AND, -, *, : and
 * column filters are then plain text, and terms are joined by FTS5's implicit AND.
 */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' ');
}
