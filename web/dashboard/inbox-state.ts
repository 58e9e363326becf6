import type { Reader } from '../../src/chat/realtime-contract.js';
import type { Conversation, Message } from './types.js';

export type StatusFilter = 'open' | 'closed';
export type AssignedFilter = 'me' | 'none' | 'any';

export interface InboxFilter {
  status: StatusFilter;
  assigned: AssignedFilter;
  /** Only conversations with this label (docs/dashboard.md, "Labels"). */
  label?: string | undefined;
}

/** The conversations the dashboard knows, by id; the inbox shows a filtered, ordered view of them. */
export type InboxState = ReadonlyMap<number, Conversation>;

export type InboxEvent =
  | { type: 'loaded'; conversations: readonly Conversation[]; replace: boolean }
  | { type: 'conversation'; conversation: Conversation }
  | { type: 'message'; message: Message; viewing: boolean }
  | { type: 'read'; conversation_id: number; reader: Reader; seq: number };

const activity = (c: Conversation): number => Date.parse(c.last_activity_at) || 0;

/** Most recent activity first; ties by the newer id. */
export function byActivity(a: Conversation, b: Conversation): number {
  return activity(b) - activity(a) || b.id - a.id;
}

export function matchesFilter(c: Conversation, filter: InboxFilter, selfId: number | undefined): boolean {
  if (c.status !== filter.status) return false;
  const label = filter.label?.toLocaleLowerCase('en');
  if (label !== undefined && !c.labels.some((l) => l.name.toLocaleLowerCase('en') === label)) return false;
  if (filter.assigned === 'me') return c.assigned_agent_id !== null && c.assigned_agent_id === selfId;
  if (filter.assigned === 'none') return c.assigned_agent_id === null;
  return true;
}

/** The rows to show: matching the filter, most recently active first. */
export function visibleRows(state: InboxState, filter: InboxFilter, selfId: number | undefined): Conversation[] {
  return [...state.values()].filter((c) => matchesFilter(c, filter, selfId)).sort(byActivity);
}

/** Unread visitor messages over every open conversation: the number in the tab title. */
export function totalUnread(state: InboxState): number {
  let total = 0;
  for (const c of state.values()) if (c.status === 'open') total += c.unread_count;
  return total;
}

/** A conversation update: the newer copy wins, but a stale copy never moves a conversation back. */
function upsert(next: Map<number, Conversation>, incoming: Conversation): void {
  const known = next.get(incoming.id);
  if (known && known.last_seq > incoming.last_seq) {
    // An older snapshot (e.g. ConversationUpdated raced a MessageSent): keep our newer message data.
    next.set(incoming.id, { ...incoming, last_seq: known.last_seq, last_message: known.last_message, last_activity_at: known.last_activity_at, unread_count: known.unread_count });
    return;
  }
  next.set(incoming.id, incoming);
}

/** The inbox reducer: every realtime event and every fetch goes through here. */
export function reduceInbox(state: InboxState, event: InboxEvent): InboxState {
  const next = new Map(state);
  switch (event.type) {
    case 'loaded': {
      if (event.replace) next.clear();
      for (const c of event.conversations) upsert(next, c);
      return next;
    }
    case 'conversation':
      upsert(next, event.conversation);
      return next;
    case 'message': {
      const m = event.message;
      const c = next.get(m.conversation_id);
      if (!c || m.seq <= c.last_seq) {
        // Unknown conversation (the caller fetches it) or a message we already counted.
        if (c && c.last_message && c.last_message.seq === m.seq) next.set(c.id, { ...c, last_message: m });
        return c ? next : state;
      }
      const counts = m.sender === 'visitor' && !event.viewing && m.seq > c.agent_read_seq;
      next.set(c.id, {
        ...c,
        last_seq: m.seq,
        last_message: m,
        last_activity_at: m.created_at > c.last_activity_at ? m.created_at : c.last_activity_at,
        // agent_read_seq moves only with a read receipt: the dashboard sends one for the open conversation.
        unread_count: counts ? c.unread_count + 1 : c.unread_count,
      });
      return next;
    }
    case 'read': {
      const c = next.get(event.conversation_id);
      if (!c) return state;
      if (event.reader.type === 'visitor') {
        next.set(c.id, { ...c, visitor_read_seq: Math.max(c.visitor_read_seq, event.seq) });
        return next;
      }
      const readSeq = Math.max(c.agent_read_seq, event.seq);
      next.set(c.id, { ...c, agent_read_seq: readSeq, unread_count: readSeq >= c.last_seq ? 0 : c.unread_count });
      return next;
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}
