import { fail, ok, type Result } from '../errors/error-codes.js';
import type { SearchIndex } from '../storage/search-index.js';
import { SOURCE_ORDER, sourceOf, type SearchPosition } from '../storage/search-ranking.js';
import { queryWords, snippet } from './search-snippet.js';

/** One result of `GET /api/agent/search` (docs/api.md, "Search"). */
export interface SearchResultDto {
  conversation_id: number;
  /** The matched message; absent when the visitor's name or email matched, or a note did. */
  message_id?: number;
  /** The matched internal note. */
  note_id?: number;
  /** Plain text; matched words between U+0002 and U+0003. */
  snippet: string;
}

export interface SearchPage {
  results: SearchResultDto[];
  next_cursor: string | null;
}

/** Agents' full-text search: words of `q` (all must match), ranked, a page at a time. */
export class SearchService {
  constructor(private readonly index: SearchIndex) {}

  async search(q: string, cursor: string | undefined, limit: number): Promise<Result<SearchPage>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after === null) return fail('validation_failed', 'The request is invalid: cursor is not one this endpoint returned.', { cursor: 'is not one this endpoint returned' });
    const terms = searchTerms(q);
    // One more than asked: whether a next page exists without a count.
    const hits = await this.index.search(terms, after, limit + 1);
    const page = hits.slice(0, limit);
    const words = queryWords(terms);
    const last = page.at(-1);
    return ok({
      results: page.map((h) => ({
        conversation_id: h.conversation_id,
        ...(h.source === 'message' ? { message_id: h.id } : h.source === 'note' ? { note_id: h.id } : {}),
        snippet: snippet(h.text, words),
      })),
      next_cursor: hits.length > limit && last ? encodeCursor(last) : null,
    });
  }
}

/** The words of a query: split at spaces, control characters dropped, terms without a letter or digit ignored. */
export function searchTerms(q: string): string[] {
  return q
    .replace(/\p{Cc}/gu, ' ')
    .split(/\s+/)
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
    .slice(0, 32);
}

/** Opaque to clients: base64url of `[window, score, source, id]` of a page's last result. */
export function encodeCursor(p: SearchPosition): string {
  return Buffer.from(JSON.stringify([p.window, p.score, SOURCE_ORDER[p.source], p.id])).toString('base64url');
}

/** The position in a cursor, or null when it is not one `encodeCursor` made. */
export function decodeCursor(cursor: string): SearchPosition | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4 || !value.every((n) => Number.isSafeInteger(n))) return null;
    const [window, score, source, id] = value as [number, number, number, number];
    if (window < 0 || source < 0 || source > 2 || id < 1) return null;
    return { window, score, source: sourceOf(source), id };
  } catch {
    return null;
  }
}
