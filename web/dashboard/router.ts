import { useEffect, useState } from 'preact/hooks';

/** Client-side navigation under /stratus: the server answers the same shell for every path. */
export function navigate(path: string, replace = false): void {
  if (location.pathname === path) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  dispatchEvent(new Event('parley:navigate'));
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
