import type { Kysely } from 'kysely';
import type { Engine } from './engine.js';
import type { Database } from './schema.js';
import { PgsqlSearchRanking } from './search-index-pgsql.js';
import { SqliteSearchRanking } from './search-index-sqlite.js';
import type { RankedRow, SearchHit, SearchPosition, SearchRanking, SearchSource } from './search-ranking.js';

/** How many of the newest matching messages are ranked together (docs/performance.md, "Search"). */
export const SEARCH_WINDOW = 2000;

/**
 * Full-text search over message and note bodies and visitor names and emails (docs/api.md,
 * "Search"): SQLite FTS5 or PostgreSQL full-text behind one interface.
 */
export class SearchIndex {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ranking: SearchRanking,
    private readonly windowSize = SEARCH_WINDOW,
  ) {}

  static for(db: Kysely<Database>, engine: Engine, windowSize = SEARCH_WINDOW): SearchIndex {
    return new SearchIndex(db, engine === 'pgsql' ? new PgsqlSearchRanking(db) : new SqliteSearchRanking(db), windowSize);
  }

  /** Up to `limit` hits matching every term, after `after` when given: window after window until the page is full. */
  async search(terms: readonly string[], after: SearchPosition | undefined, limit: number): Promise<SearchHit[]> {
    if (terms.length === 0) return [];
    const ranked: (RankedRow & { window: number })[] = [];
    let upper = after?.window ?? 0;
    let position: RankedRow | undefined = after;
    while (ranked.length < limit) {
      const window = { upper: upper === 0 ? null : upper, lower: await this.ranking.windowLower(terms, upper === 0 ? null : upper, this.windowSize) };
      const rows = await this.ranking.rank(terms, window, upper === 0, position, limit - ranked.length);
      ranked.push(...rows.map((r) => ({ ...r, window: upper })));
      // The oldest window reaches down to the first message.
      if (window.lower === null) break;
      upper = window.lower;
      position = undefined;
    }
    const texts = await this.texts(ranked);
    return ranked.flatMap((row) => {
      const found = texts.get(`${row.source}:${row.id}`);
      return found ? [{ ...row, ...found }] : [];
    });
  }

  /** The page's texts, read by id once the page is known (never for every match). */
  private async texts(rows: readonly RankedRow[]): Promise<Map<string, { conversation_id: number; text: string }>> {
    const ids = (source: SearchSource) => rows.filter((r) => r.source === source).map((r) => r.id);
    const found = new Map<string, { conversation_id: number; text: string }>();
    const messageIds = ids('message');
    if (messageIds.length > 0) {
      for (const m of await this.db.selectFrom('messages').select(['id', 'conversation_id', 'body']).where('id', 'in', messageIds).execute()) {
        found.set(`message:${m.id}`, { conversation_id: m.conversation_id, text: m.body });
      }
    }
    const noteIds = ids('note');
    if (noteIds.length > 0) {
      for (const n of await this.db.selectFrom('notes').select(['id', 'conversation_id', 'body']).where('id', 'in', noteIds).execute()) {
        found.set(`note:${n.id}`, { conversation_id: n.conversation_id, text: n.body });
      }
    }
    const visitorIds = ids('visitor');
    if (visitorIds.length > 0) {
      for (const c of await this.db.selectFrom('conversations').select(['id', 'visitor_name', 'visitor_email']).where('id', 'in', visitorIds).execute()) {
        found.set(`visitor:${c.id}`, { conversation_id: c.id, text: [c.visitor_name, c.visitor_email].filter((v) => v).join(' ') });
      }
    }
    return found;
  }
}
