import { sql, type RawBuilder } from 'kysely';
/** Shapes shared by the search index and each engine's ranking (docs/api.md, "Search"). */

/** What a search result points at: a visitor's name or email, a message, or an internal note. */
export type SearchSource = 'visitor' | 'message' | 'note';

/** The order of sources among results of equal score (also their number in a cursor). */
export const SOURCE_ORDER = { visitor: 0, message: 1, note: 2 } as const satisfies Record<SearchSource, number>;

/**
 * A place in the ranking. Matching messages are ranked in windows of the newest matches (so a
 * word found in a hundred thousand messages costs no more than one found in a few thousand):
 * `window` is the id below which the window's messages lie, 0 for the newest window, which also
 * holds every matching note and visitor. Within a window, results are ordered by `score` (higher
 * first: -bm25 times 10^12 on SQLite, ts_rank times 10^9 on PostgreSQL, rounded to integers so
 * that a cursor compares exactly), then source, then id (newer first).
 */
export interface SearchPosition {
  window: number;
  score: number;
  source: SearchSource;
  id: number;
}

/** One ranked row of a window, as the engine's index returns it. */
export type RankedRow = Omit<SearchPosition, 'window'>;

export interface SearchHit extends SearchPosition {
  conversation_id: number;
  /** The text that matched: a message or note body, or "name email" of the visitor. */
  text: string;
}

/** Message ids of one window: `lower` ≤ id < `upper`; null is no bound. */
export interface MessageWindow {
  upper: number | null;
  lower: number | null;
}

/** The engine's half: which rows match every term, best first. */
export interface SearchRanking {
  /** The id of the `size`-th newest matching message below `upper`, or null when fewer match. */
  windowLower(terms: readonly string[], upper: number | null, size: number): Promise<number | null>;
  /**
   * Matches in the window, best first, after `after` (a position in the same window); notes and
   * visitors only when `withOthers` (the newest window).
   */
  rank(terms: readonly string[], window: MessageWindow, withOthers: boolean, after: RankedRow | undefined, limit: number): Promise<RankedRow[]>;
}

/** Turns the ranking's numeric source back into its name. */
export function sourceOf(order: number): SearchSource {
  return order === SOURCE_ORDER.visitor ? 'visitor' : order === SOURCE_ORDER.message ? 'message' : 'note';
}

/** The keyset after `after` in the order `score desc, source asc, id desc`, over a derived table with those columns (both engines). */
export function keysetAfter(after: RankedRow | undefined): RawBuilder<unknown> {
  if (after === undefined) return sql``;
  const source = SOURCE_ORDER[after.source];
  return sql`where score < ${after.score} or (score = ${after.score} and (source > ${source} or (source = ${source} and id < ${after.id})))`;
}
