import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import { keysetAfter, SOURCE_ORDER, sourceOf, type MessageWindow, type RankedRow, type SearchRanking } from './search-ranking.js';

/**
 * PostgreSQL full-text ranking: ts_rank over the expressions that migration 0008 indexes with GIN
 * (repeated here exactly, or the planner cannot use the indexes). `plainto_tsquery` reads the terms
 * as plain words joined by AND: no syntax a visitor or agent could break.
 */
export class PgsqlSearchRanking implements SearchRanking {
  constructor(private readonly db: Kysely<Database>) {}

  private readonly body = sql`to_tsvector('simple', body)`;

  async windowLower(terms: readonly string[], upper: number | null, size: number): Promise<number | null> {
    const below = upper === null ? sql`` : sql`and id < ${upper}`;
    const { rows } = await sql<{ id: number }>`select id from messages where ${this.body} @@ ${tsQuery(terms)} ${below}
      order by id desc limit 1 offset ${size - 1}`.execute(this.db);
    return rows[0] ? Number(rows[0].id) : null;
  }

  async rank(terms: readonly string[], window: MessageWindow, withOthers: boolean, after: RankedRow | undefined, limit: number): Promise<RankedRow[]> {
    const query = tsQuery(terms);
    const visitor = sql`to_tsvector('simple', coalesce(visitor_name, '') || ' ' || coalesce(visitor_email, ''))`;
    // Normalisation 1: divided by 1 + log(length), so a long message does not outrank a short one on one word.
    const score = (vector: RawBuilder<unknown>) => sql`round(ts_rank(${vector}, ${query}, 1) * 1e9)::bigint`;
    const bounds: RawBuilder<unknown>[] = [];
    if (window.upper !== null) bounds.push(sql`and id < ${window.upper}`);
    if (window.lower !== null) bounds.push(sql`and id >= ${window.lower}`);
    const others = withOthers
      ? sql`union all
        select ${sql.lit(SOURCE_ORDER.note)}, id, ${score(this.body)} from notes where ${this.body} @@ ${query}
        union all
        select ${sql.lit(SOURCE_ORDER.visitor)}, id, ${score(visitor)} from conversations where ${visitor} @@ ${query}`
      : sql``;
    const keyset = keysetAfter(after);
    const { rows } = await sql<{ source: number; id: number; score: number }>`
      select source, id, score from (
        select ${sql.lit(SOURCE_ORDER.message)} as source, id, ${score(this.body)} as score from messages
          where ${this.body} @@ ${query} ${sql.join(bounds, sql` `)}
        ${others}
      ) ranked ${keyset}
      order by score desc, source asc, id desc
      limit ${limit}`.execute(this.db);
    return rows.map((r) => ({ source: sourceOf(Number(r.source)), id: Number(r.id), score: Number(r.score) }));
  }
}

/** The terms as plain words joined by AND. */
function tsQuery(terms: readonly string[]): RawBuilder<unknown> {
  return sql`plainto_tsquery('simple', ${terms.join(' ')})`;
}
