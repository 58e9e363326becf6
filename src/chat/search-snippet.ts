/**
 * Highlighted snippets of search results (docs/api.md, "Search"): plain text in which each matched
 * word is wrapped in U+0002 … U+0003. The dashboard turns the pairs into <mark> elements built from
 * text nodes; control characters of the stored text are replaced by spaces first, so a message can
 * never forge a marker. Built here, not by the engine, so both engines highlight alike.
 */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** Words as the indexes see them: letters and digits (FTS5 unicode61, PostgreSQL's parser alike). */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const CONTROL = /\p{Cc}/gu;

/** Lower case without accents, as `remove_diacritics` folds words. */
export function fold(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The folded words of a query, for highlighting. */
export function queryWords(terms: readonly string[]): Set<string> {
  return new Set(terms.flatMap((t) => Array.from(t.matchAll(WORD), (m) => fold(m[0]))).filter((w) => w.length > 0));
}

/** Up to about `width` characters of `text` around its first matched word, the matches marked. */
export function snippet(text: string, words: ReadonlySet<string>, width = 160): string {
  const clean = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  const matches = Array.from(clean.matchAll(WORD))
    .filter((m) => words.has(fold(m[0])))
    .map((m) => ({ start: m.index, end: m.index + m[0].length }));
  let start = Math.max(0, (matches[0]?.start ?? 0) - Math.floor(width / 4));
  if (start > 0) {
    const space = clean.indexOf(' ', start);
    start = space === -1 || space >= (matches[0]?.start ?? 0) ? start : space + 1;
  }
  let end = Math.min(clean.length, start + width);
  if (end < clean.length) {
    const space = clean.lastIndexOf(' ', end);
    if (space > start && space >= (matches[0]?.end ?? 0)) end = space;
  }
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const m of matches) {
    if (m.start < start || m.end > end) continue;
    out += clean.slice(at, m.start) + MARK_START + clean.slice(m.start, m.end) + MARK_END;
    at = m.end;
  }
  out += clean.slice(at, end);
  return end < clean.length ? `${out}…` : out;
}
