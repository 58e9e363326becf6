import { useEffect, useState } from 'preact/hooks';
import { navigate } from '../router.js';
import { queryOf, searchPath } from './snippet.js';

/** The top bar's search field: Enter opens the results page (docs/dashboard.md, "Search"). */
export function SearchBox() {
  const [q, setQ] = useState(() => (location.pathname === '/stratus/search' ? queryOf(location.search) : ''));
  // Follows the address (Back to an earlier query shows that query in the field).
  useEffect(() => {
    const update = () => {
      if (location.pathname === '/stratus/search') setQ(queryOf(location.search));
    };
    addEventListener('popstate', update);
    addEventListener('parley:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('parley:navigate', update);
    };
  }, []);
  return (
    <form
      role="search"
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim()) navigate(searchPath(q.trim()));
      }}
    >
      <label for="parley-search" class="sr-only">Search conversations</label>
      <input id="parley-search" type="search" name="q" value={q} maxLength={200} placeholder="Search" data-parley="search-input" onInput={(e) => setQ(e.currentTarget.value)} />
      <button type="submit" class="ghost">Search</button>
    </form>
  );
}
