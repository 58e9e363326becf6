import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { targetOf } from './snippet.js';

/**
 * Opened from a search result (`?message=` or `?note=`): once that entry is in the transcript,
 * scrolls it into view, marks it (`.found`) and moves focus to it, once per address.
 */
export function useFoundEntry(logRef: RefObject<HTMLDivElement | null>, loadedCount: number): void {
  const done = useRef('');
  useLayoutEffect(() => {
    const target = targetOf(location.search);
    const log = logRef.current;
    const key = `${location.pathname}${location.search}`;
    if (!target || !log || done.current === key) return;
    const entry = log.querySelector<HTMLElement>(`[data-${target.kind}-id="${target.id}"]`);
    if (!entry) return;
    done.current = key;
    entry.classList.add('found');
    entry.tabIndex = -1;
    entry.scrollIntoView({ block: 'center' });
    entry.focus({ preventScroll: true });
  }, [logRef, loadedCount]);
}
