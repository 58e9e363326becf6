import { describe, expect, it } from 'vitest';
import { queryOf, resultKind, resultPath, searchPath, snippetParts, targetOf } from '../web/dashboard/search/snippet.js';
import { queryWords, snippet } from '../src/chat/search-snippet.js';

// The dashboard's search (docs/dashboard.md, "Search"): snippets split at the server's markers into
// text and marked text, and the addresses results lead to.

describe('search snippets', () => {
  it('splits a snippet into plain and marked parts', () => {
    expect(snippetParts('my \u0002parcel\u0003 is \u0002late\u0003!')).toEqual([
      { text: 'my ', marked: false },
      { text: 'parcel', marked: true },
      { text: ' is ', marked: false },
      { text: 'late', marked: true },
      { text: '!', marked: false },
    ]);
  });

  it('drops unpaired markers instead of showing them', () => {
    expect(snippetParts('a\u0003b\u0002c')).toEqual([
      { text: 'a', marked: false },
      { text: 'b', marked: false },
      { text: 'c', marked: true },
    ]);
  });

  it('round-trips what the server builds: matched words marked, case and accents folded, long text cut around the match', () => {
    const words = queryWords(['CAFE']);
    const long = `${'lorem ipsum '.repeat(30)}the Café was closed ${'dolor sit '.repeat(30)}`;
    const parts = snippetParts(snippet(long, words));
    expect(parts.filter((p) => p.marked).map((p) => p.text)).toEqual(['Café']);
    expect(parts[0]?.text.startsWith('…')).toBe(true);
    expect(parts.at(-1)?.text.endsWith('…')).toBe(true);
  });
});

describe('search addresses', () => {
  it('leads a result to its conversation at the matched message or note', () => {
    expect(resultPath({ conversation_id: 4, message_id: 9, snippet: '' })).toBe('/stratus/conversations/4?message=9');
    expect(resultPath({ conversation_id: 4, note_id: 2, snippet: '' })).toBe('/stratus/conversations/4?note=2');
    expect(resultPath({ conversation_id: 4, snippet: '' })).toBe('/stratus/conversations/4');
    expect(resultKind({ conversation_id: 4, snippet: '' })).toBe('Visitor');
  });

  it('reads the query and the target back from the address, ignoring anything malformed', () => {
    expect(queryOf(new URL(`https://x${searchPath(' a&b ')}`).search)).toBe('a&b');
    expect(targetOf('?message=12')).toEqual({ kind: 'message', id: 12 });
    expect(targetOf('?note=3')).toEqual({ kind: 'note', id: 3 });
    expect(targetOf('?message=0')).toBeNull();
    expect(targetOf('?message=1"]')).toBeNull();
  });
});
