import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { onLinkClick } from '../router.js';
import { queryOf, resultKind, resultPath, snippetParts, type SearchResult } from './snippet.js';

interface Page {
  results: SearchResult[];
  next_cursor: string | null;
}

/** The current address's `?q=`, following navigation. */
function useQuery(): string {
  const [q, setQ] = useState(() => queryOf(location.search));
  useEffect(() => {
    const update = () => setQ(queryOf(location.search));
    addEventListener('popstate', update);
    addEventListener('parley:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('parley:navigate', update);
    };
  }, []);
  return q;
}

/** A snippet with its matched words in <mark>, all of it text nodes. */
function Snippet({ text }: { text: string }) {
  return <>{snippetParts(text).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : part.text))}</>;
}

/** Results of a search (docs/dashboard.md, "Search"): each opens its conversation at the match. */
export function SearchPage() {
  const q = useQuery();
  const [results, setResults] = useState<SearchResult[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'done' | 'error'>('idle');
  const [error, setError] = useState('');

  const load = async (query: string, after: string | null, replace: boolean) => {
    setState('loading');
    const res = await api<Page>('GET', `/api/agent/search?q=${encodeURIComponent(query)}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`);
    if (queryOf(location.search) !== query) return;
    if (!res.ok) {
      setError(res.error.message);
      setState('error');
      return;
    }
    setResults((old) => (replace ? res.data.results : [...old, ...res.data.results]));
    setCursor(res.data.next_cursor);
    setState('done');
  };

  useEffect(() => {
    setResults([]);
    setCursor(null);
    if (q) void load(q, null, true);
    else setState('idle');
  }, [q]);

  return (
    <main id="main" class="page search-page" data-parley="search-page">
      <h1>Search</h1>
      <p class="muted" role="status">
        {!q ? 'Type words to find in messages, internal notes and visitors’ names or emails.' : state === 'loading' && results.length === 0 ? 'Searching…' : state === 'done' && results.length === 0 ? `Nothing found for “${q}”.` : state === 'error' ? error : `Results for “${q}”`}
      </p>
      {results.length > 0 && (
        <ol class="search-results" data-parley="search-results">
          {results.map((r) => {
            const path = resultPath(r);
            return (
              <li key={`${r.conversation_id}-${r.message_id ?? ''}-${r.note_id ?? ''}`}>
                <a href={path} onClick={(e) => onLinkClick(e, path)} data-parley="search-result">
                  <span class="result-meta">{resultKind(r)} · conversation #{r.conversation_id}</span>
                  <span class="snippet"><Snippet text={r.snippet} /></span>
                </a>
              </li>
            );
          })}
        </ol>
      )}
      {cursor !== null && (
        <button type="button" class="ghost" disabled={state === 'loading'} onClick={() => void load(q, cursor, false)}>
          More results
        </button>
      )}
    </main>
  );
}
