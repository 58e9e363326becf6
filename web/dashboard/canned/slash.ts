/**
 * The `/shortcut` trigger of the reply box (docs/dashboard.md, "Canned responses"). DOM-free:
 * the picker view feeds it the text and caret, and applies what it answers.
 */

/** A canned response as the dashboard lists it (`GET /api/agent/canned-responses`). */
export interface CannedResponse {
  id: number;
  shortcut: string;
  body: string;
  shared: boolean;
  updated_at: string;
}

/** A `/` typed at the start of the text or after whitespace, and what follows it up to the caret. */
export interface SlashTrigger {
  /** Index of the `/`. */
  start: number;
  /** End of the shortcut-like word the caret is in (what an insertion replaces). */
  end: number;
  query: string;
}

const WORD = /[A-Za-z0-9_-]/;

/** The trigger the caret is in, if any: `/ref|` gives `{query: 'ref'}`; `a/b` and `http://x` give none. */
export function slashTrigger(value: string, caret: number): SlashTrigger | undefined {
  let start = caret;
  while (start > 0 && WORD.test(value.charAt(start - 1))) start--;
  if (value.charAt(start - 1) !== '/') return undefined;
  const slash = start - 1;
  if (slash > 0 && !/\s/.test(value.charAt(slash - 1))) return undefined;
  let end = caret;
  while (end < value.length && WORD.test(value.charAt(end))) end++;
  return { start: slash, end, query: value.slice(start, caret) };
}

/** At most this many suggestions are listed (all visible without scrolling); typing more narrows them. */
export const MAX_SUGGESTIONS = 6;

/**
 * The responses matching `query` (case-insensitive, in the shortcut or the body), best first:
 * shortcuts that start with it, then shortcuts that contain it, then bodies that do.
 */
export function matchCanned(responses: readonly CannedResponse[], query: string, limit = MAX_SUGGESTIONS): CannedResponse[] {
  const q = query.toLowerCase();
  const rank = (r: CannedResponse): number => {
    const shortcut = r.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) return 0;
    if (shortcut.includes(q)) return 1;
    return r.body.toLowerCase().includes(q) ? 2 : -1;
  };
  return responses
    .map((r) => ({ r, rank: rank(r) }))
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.r.shortcut.localeCompare(b.r.shortcut) || Number(a.r.shared) - Number(b.r.shared))
    .slice(0, limit)
    .map((x) => x.r);
}

/** The text with the trigger's `/word` replaced by `text`, and where the caret goes (after it). */
export function insertAt(value: string, trigger: SlashTrigger, text: string): { value: string; caret: number } {
  return { value: value.slice(0, trigger.start) + text + value.slice(trigger.end), caret: trigger.start + text.length };
}

/** The next highlighted option after an arrow key: wraps at both ends; -1 when nothing is listed. */
export function moveActive(active: number, count: number, delta: 1 | -1): number {
  if (count === 0) return -1;
  if (active < 0) return delta === 1 ? 0 : count - 1;
  return (active + delta + count) % count;
}
