import type { JSX, TargetedKeyboardEvent, TargetedMouseEvent } from 'preact';
import { useContext, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useSessionState } from '../use-session.js';
import { CannedContext } from './canned-context.js';
import type { CannedLibrary, CannedLibraryState } from './canned-library.js';
import { expandVariables } from './expand.js';
import { insertAt, matchCanned, moveActive, slashTrigger, type CannedResponse } from './slash.js';

const LISTBOX_ID = 'canned-listbox';
const optionId = (r: CannedResponse) => `canned-option-${r.id}`;
const EMPTY: CannedLibraryState = { items: [], loaded: false, alert: '' };
const NO_LIBRARY = { state: EMPTY, subscribe: () => () => undefined };

/** What the reply box wires in: attributes and caret tracking for the textarea, keys it lets the picker handle first, and the list. */
export interface CannedPicker {
  inputProps: {
    ref: { current: HTMLTextAreaElement | null };
    'aria-autocomplete': 'list';
    'aria-controls'?: string;
    'aria-activedescendant'?: string;
    onClick(e: TargetedMouseEvent<HTMLTextAreaElement>): void;
    onKeyUp(e: TargetedKeyboardEvent<HTMLTextAreaElement>): void;
  };
  /** Call after each input with the textarea: where the caret is decides what is listed. */
  onCaret(el: HTMLTextAreaElement): void;
  /** Handles the key when the list is open (arrows, Enter, Tab, Escape); true when it did. */
  onKeyDown(e: TargetedKeyboardEvent<HTMLTextAreaElement>): boolean;
  view: JSX.Element | null;
}

/**
 * `/shortcut` in the reply box (docs/dashboard.md, "Canned responses"): a `/` at the start or after
 * a space lists the matching responses under the text box. The textarea keeps focus and points at
 * the highlighted option with `aria-activedescendant` (a textarea may not take the combobox role).
 */
export function useCannedPicker(draft: string, onInput: (value: string) => void): CannedPicker {
  const canned = useContext(CannedContext);
  const library: Pick<CannedLibrary, 'state' | 'subscribe'> = canned?.library ?? NO_LIBRARY;
  const { items } = useSessionState(library);
  const ref = useRef<HTMLTextAreaElement | null>(null);
  const [caret, setCaret] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [placeCaret, setPlaceCaret] = useState<number | null>(null);
  // A key the list used does not move the caret: its keyup must not re-read it.
  const handledKey = useRef(false);

  const trigger = canned && caret !== null && caret <= draft.length ? slashTrigger(draft, caret) : undefined;
  const matches = useMemo(() => (trigger ? matchCanned(items, trigger.query) : []), [items, trigger?.query]);
  const open = trigger !== undefined && trigger.start !== dismissedAt && matches.length > 0;
  const current = open ? matches[Math.min(active, matches.length - 1)] : undefined;

  // A fresh list when a `/` starts a lookup (a colleague may have added a shared one).
  const looking = trigger !== undefined;
  useEffect(() => {
    if (looking) void canned?.library.refresh();
  }, [looking, canned]);
  useEffect(() => setActive(0), [trigger?.query, trigger?.start]);
  useEffect(() => {
    if (trigger === undefined || trigger.start !== dismissedAt) setDismissedAt(null);
  }, [trigger?.start]);
  useLayoutEffect(() => {
    if (placeCaret === null || !ref.current) return;
    ref.current.setSelectionRange(placeCaret, placeCaret);
    setCaret(placeCaret);
    setPlaceCaret(null);
  }, [placeCaret, draft]);

  const insert = (response: CannedResponse) => {
    if (!trigger || !canned) return;
    const next = insertAt(draft, trigger, expandVariables(response.body, canned.variables));
    onInput(next.value);
    setPlaceCaret(next.caret);
    ref.current?.focus();
  };
  const track = (el: HTMLTextAreaElement) => setCaret(el.selectionStart === el.selectionEnd ? el.selectionStart : null);

  const onKeyDown = (e: TargetedKeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || !current || e.isComposing) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      setActive(moveActive(matches.indexOf(current), matches.length, e.key === 'ArrowDown' ? 1 : -1));
    } else if ((e.key === 'Enter' && !e.shiftKey) || (e.key === 'Tab' && !e.shiftKey)) {
      insert(current);
    } else if (e.key === 'Escape') {
      setDismissedAt(trigger.start);
    } else {
      return false;
    }
    e.preventDefault();
    handledKey.current = true;
    return true;
  };

  const view = open ? (
    <div class="canned-picker" data-parley="canned-picker">
      <ul role="listbox" id={LISTBOX_ID} aria-label="Canned responses">
        {matches.map((r) => (
          <li
            key={r.id}
            id={optionId(r)}
            role="option"
            aria-selected={r === current}
            data-parley="canned-option"
            data-shortcut={r.shortcut}
            // Keeps focus in the reply box, so typing goes on after a click.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => insert(r)}
          >
            <span class="canned-shortcut">/{r.shortcut}</span>
            {r.shared && <span class="canned-badge">Shared</span>}
            <span class="canned-preview">{canned ? expandVariables(r.body, canned.variables) : r.body}</span>
          </li>
        ))}
      </ul>
      <p class="sr-only" role="status">
        {matches.length === 1 ? '1 canned response' : `${matches.length} canned responses`}: up and down arrows to choose, Enter to insert, Escape to close.
      </p>
    </div>
  ) : null;

  return {
    inputProps: {
      ref,
      'aria-autocomplete': 'list',
      ...(open ? { 'aria-controls': LISTBOX_ID } : {}),
      ...(current ? { 'aria-activedescendant': optionId(current) } : {}),
      onClick: (e) => track(e.currentTarget),
      onKeyUp: (e) => {
        if (!handledKey.current) track(e.currentTarget);
        handledKey.current = false;
      },
    },
    onCaret: track,
    onKeyDown,
    view,
  };
}
