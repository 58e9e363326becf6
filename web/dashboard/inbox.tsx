import { useEffect, useState } from 'preact/hooks';
import type { AssignedFilter, InboxFilter, StatusFilter } from './inbox-state.js';
import { LabelChips } from './labels/label-chips.js';
import { LabelFilter } from './labels/label-filter.js';
import { onLinkClick } from './router.js';
import { relativeTime } from './time.js';
import type { Conversation } from './types.js';
import { previewText } from './attachments/attachment-text.js';

interface Props {
  rows: Conversation[];
  filter: InboxFilter;
  onFilter(filter: InboxFilter): void;
  selected: number | null;
  canLoadMore: boolean;
  onLoadMore(): void;
}

const STATUS: [StatusFilter, string][] = [
  ['open', 'Open'],
  ['closed', 'Closed'],
];
const ASSIGNED: [AssignedFilter, string][] = [
  ['me', 'Mine'],
  ['none', 'Unassigned'],
  ['any', 'All'],
];

/** Arrow keys move between rows; Tab reaches each row; Enter opens (rows are links). */
function onRowKey(event: KeyboardEvent): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const rows = [...document.querySelectorAll<HTMLElement>('[data-parley="conversation"]')];
  const at = rows.indexOf(document.activeElement as HTMLElement);
  const next = rows[event.key === 'ArrowDown' ? Math.min(rows.length - 1, at + 1) : Math.max(0, at - 1)];
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** The left column: filters and conversation rows. */
export function InboxList({ rows, filter, onFilter, selected, canLoadMore, onLoadMore }: Props) {
  const now = useNow(30_000);
  return (
    <nav class="inbox" aria-label="Inbox">
      <div class="filters" role="group" aria-label="Status">
        {STATUS.map(([value, label]) => (
          <button type="button" aria-pressed={filter.status === value} onClick={() => onFilter({ ...filter, status: value })}>{label}</button>
        ))}
      </div>
      <div class="filters" role="group" aria-label="Assignment">
        {ASSIGNED.map(([value, label]) => (
          <button type="button" aria-pressed={filter.assigned === value} onClick={() => onFilter({ ...filter, assigned: value })}>{label}</button>
        ))}
      </div>
      <LabelFilter value={filter.label} onChange={(label) => onFilter({ ...filter, label })} />
      {rows.length === 0 ? (
        <p class="empty">No conversations here.</p>
      ) : (
        <ul class="rows" onKeyDown={onRowKey}>
          {rows.map((c) => {
            const href = `/stratus/conversations/${c.id}`;
            const name = c.visitor_name || `Visitor #${c.id}`;
            const preview = c.last_message ? `${c.last_message.sender === 'agent' ? 'You: ' : ''}${previewText(c.last_message)}` : 'No messages yet';
            return (
              <li key={c.id}>
                <a
                  href={href}
                  class={`row${selected === c.id ? ' selected' : ''}${c.unread_count > 0 ? ' unread' : ''}`}
                  data-parley="conversation"
                  data-conversation-id={String(c.id)}
                  aria-current={selected === c.id ? 'true' : undefined}
                  onClick={(e) => onLinkClick(e, href)}
                >
                  <span class="row-top">
                    <span class="row-name">{name}</span>
                    <time class="row-time" dateTime={c.last_activity_at} title={new Date(c.last_activity_at).toLocaleString()}>{relativeTime(c.last_activity_at, now)}</time>
                  </span>
                  <span class="row-bottom">
                    <span class="row-preview">{preview}</span>
                    {c.unread_count > 0 && (
                      <span class="badge" data-parley="unread" aria-label={`${c.unread_count} unread`}>{c.unread_count}</span>
                    )}
                  </span>
                  {(c.agent || c.status === 'closed') && (
                    <span class="row-meta">{c.status === 'closed' ? 'Closed' : ''}{c.status === 'closed' && c.agent ? ' · ' : ''}{c.agent ? c.agent.name : ''}</span>
                  )}
                  <LabelChips labels={c.labels ?? []} />
                </a>
              </li>
            );
          })}
        </ul>
      )}
      {canLoadMore && <button type="button" class="ghost more" onClick={onLoadMore}>Load more</button>}
    </nav>
  );
}
