/**
 * Search results as the dashboard shows them (docs/dashboard.md, "Search"). DOM-free: tested
 * without a browser. A snippet is plain text in which the server wrapped each matched word in
 * U+0002 … U+0003 (docs/api.md, "Search"); the view turns marked parts into <mark> elements
 * holding text nodes, never HTML.
 */
const START = '\u0002';
const END = '\u0003';

export interface SnippetPart {
  text: string;
  marked: boolean;
}

/** The snippet cut at its markers; stray or unpaired markers are dropped, never shown. */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let marked = false;
  let text = '';
  const flush = () => {
    if (text) parts.push({ text, marked });
    text = '';
  };
  for (const char of snippet) {
    if (char === START || char === END) {
      flush();
      marked = char === START;
    } else text += char;
  }
  flush();
  return parts;
}

/** One result of `GET /api/agent/search`. */
export interface SearchResult {
  conversation_id: number;
  message_id?: number;
  note_id?: number;
  snippet: string;
}

/** Where a result leads: its conversation, scrolled to the matched message or note. */
export function resultPath(result: SearchResult): string {
  const base = `/stratus/conversations/${result.conversation_id}`;
  if (result.message_id !== undefined) return `${base}?message=${result.message_id}`;
  if (result.note_id !== undefined) return `${base}?note=${result.note_id}`;
  return base;
}

/** What the result matched, for its label. */
export function resultKind(result: SearchResult): string {
  return result.message_id !== undefined ? 'Message' : result.note_id !== undefined ? 'Internal note' : 'Visitor';
}

/** The address of the results page for a query. */
export const searchPath = (q: string): string => `/stratus/search?q=${encodeURIComponent(q)}`;

/** The query of the current results page address (`?q=`), trimmed. */
export const queryOf = (search: string): string => (new URLSearchParams(search).get('q') ?? '').trim();

/** The message or note a conversation address points at (`?message=` / `?note=`). */
export function targetOf(search: string): { kind: 'message' | 'note'; id: number } | null {
  const params = new URLSearchParams(search);
  for (const kind of ['message', 'note'] as const) {
    const value = params.get(kind);
    if (value && /^[1-9]\d{0,15}$/.test(value)) return { kind, id: Number(value) };
  }
  return null;
}
