import { useEffect, useRef } from 'preact/hooks';
import type { HTMLAttributes, RefObject } from 'preact';

/**
 * Keeps a scrolled log at its newest entry while the agent has not scrolled up: when a picture
 * loads after it was laid out, and when the log gets shorter (the preview strip of files to
 * send appears under it). Answers the handlers to spread on the log.
 */
export function useStickToBottom(ref: RefObject<HTMLElement | null>): Pick<HTMLAttributes<HTMLDivElement>, 'onScroll' | 'onLoadCapture'> {
  const pinned = useRef(true);
  // The log's height when last measured: a scroll the browser makes while the log resizes says nothing of the agent.
  const height = useRef(-1);
  useEffect(() => {
    const log = ref.current;
    if (!log || typeof ResizeObserver === 'undefined') return;
    height.current = log.clientHeight;
    const observer = new ResizeObserver(() => {
      height.current = log.clientHeight;
      if (pinned.current) log.scrollTop = log.scrollHeight;
    });
    observer.observe(log);
    return () => observer.disconnect();
  }, [ref]);
  return {
    onScroll: (e) => {
      const log = e.currentTarget;
      if (height.current !== -1 && log.clientHeight !== height.current) return;
      pinned.current = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    },
    onLoadCapture: (e) => {
      if (pinned.current) e.currentTarget.scrollTop = e.currentTarget.scrollHeight;
    },
  };
}
