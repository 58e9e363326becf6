import { useEffect, useState } from 'preact/hooks';

/** Client-side navigation under /stratus: the server answers the same shell for every path. */
export function navigate(path: string, replace = false): void {
  if (location.pathname === path) return;
  // Each entry remembers the address it was opened from, so a Back control can pop it (goUp).
  if (replace) history.replaceState(history.state, '', path);
  else history.pushState({ from: location.pathname }, '', path);
  dispatchEvent(new Event('parley:navigate'));
}

/**
 * Goes up to `parent` (a phone pane's Back, docs/dashboard.md "On a phone"): through the browser's
 * history when this page was opened from `parent`, so Back buttons and the browser's Back agree;
 * as a new entry when the page was opened directly.
 */
export function goUp(parent: string): void {
  const from = (history.state as { from?: unknown } | null)?.from;
  if (from === parent) history.back();
  else navigate(parent);
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    addEventListener('parley:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('parley:navigate', update);
    };
  }, []);
  return path;
}

/** A link that navigates without reloading (a normal link for middle-click and screen readers). */
export function onLinkClick(event: MouseEvent, path: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}
