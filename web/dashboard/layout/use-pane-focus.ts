import { useEffect, useRef } from 'preact/hooks';
import type { Pane } from './pane.js';

/** The phone layout's width, as in style.css ("Phone layout and installed app"). */
const PHONE = '(max-width: 700px)';

/** Where focus lands in a pane: its Back control, or in the inbox the row of the conversation just left. */
function targets(pane: Pane, left: number | null): string[] {
  if (pane.name === 'conversation') return ['.conversation [data-parley="pane-back"]'];
  if (pane.name === 'visitor') return ['.visitor-panel [data-parley="pane-back"]'];
  const row = left === null ? [] : [`[data-parley="conversation"][data-conversation-id="${left}"]`];
  return [...row, '.inbox .filters button'];
}

/**
 * On a phone, moving to another pane hides the control that was tapped, so focus moves into the
 * new pane (docs/dashboard.md, "On a phone"): keyboard and screen-reader users are not left on
 * the page's body. Not on the first render, and never on a desktop where nothing is hidden.
 */
export function usePaneFocus(pane: Pane): void {
  const previous = useRef(pane);
  useEffect(() => {
    const before = previous.current;
    previous.current = pane;
    if (before.name === pane.name && before.conversationId === pane.conversationId) return;
    if (!window.matchMedia(PHONE).matches) return;
    const wanted = targets(pane, before.conversationId);
    const frame = requestAnimationFrame(() => {
      for (const selector of wanted) {
        const element = document.querySelector<HTMLElement>(selector);
        if (element) return element.focus();
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [pane.name, pane.conversationId]);
}
