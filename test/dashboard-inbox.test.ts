import { describe, expect, it } from 'vitest';
import { reduceInbox, totalUnread, visibleRows, type InboxFilter, type InboxState } from '../web/dashboard/inbox-state.js';
import type { Conversation, Message } from '../web/dashboard/types.js';
import { at, conversation } from './support/dashboard-fakes.js';

/** A conversation with one unread visitor message, last active at second `activity`. */
const conv = (id: number, activity: number, extra: Partial<Conversation> = {}): Conversation =>
  conversation(id, { last_seq: 1, visitor_read_seq: 1, last_activity_at: at(activity), unread_count: 1, ...extra });

const message = (conversation_id: number, seq: number, s: number, sender: Message['sender'] = 'visitor'): Message => ({
  id: seq * 100 + conversation_id,
  conversation_id,
  seq,
  sender,
  body: `hello ${seq}`,
  created_at: at(s),
});

const empty: InboxState = new Map();
const open: InboxFilter = { status: 'open', assigned: 'any' };
const ids = (state: InboxState, filter: InboxFilter = open, self = 7) => visibleRows(state, filter, self).map((c) => c.id);

describe('the inbox reducer', () => {
  it('orders rows by last activity, newest first', () => {
    const state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10), conv(2, 30), conv(3, 20)], replace: false });
    expect(ids(state)).toEqual([2, 3, 1]);
  });

  it('puts a started conversation at the top', () => {
    let state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10), conv(2, 30)], replace: false });
    state = reduceInbox(state, { type: 'conversation', conversation: conv(3, 40) });
    expect(ids(state)).toEqual([3, 2, 1]);
  });

  it('moves a conversation up on a new message, with its preview and one more unread', () => {
    let state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10), conv(2, 30)], replace: false });
    state = reduceInbox(state, { type: 'message', message: message(1, 2, 50), viewing: false });
    expect(ids(state)).toEqual([1, 2]);
    expect(state.get(1)?.last_message?.body).toBe('hello 2');
    expect(state.get(1)?.unread_count).toBe(2);
    // The same message again (from a catch-up or a second channel) is not counted twice.
    state = reduceInbox(state, { type: 'message', message: message(1, 2, 50), viewing: false });
    expect(state.get(1)?.unread_count).toBe(2);
  });

  it('does not count messages in the conversation the agent is looking at, nor agent replies', () => {
    let state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10, { unread_count: 0 })], replace: false });
    state = reduceInbox(state, { type: 'message', message: message(1, 2, 20), viewing: true });
    state = reduceInbox(state, { type: 'message', message: message(1, 3, 30, 'agent'), viewing: false });
    expect(state.get(1)?.unread_count).toBe(0);
  });

  it('clears unread when agents have read up to the last message', () => {
    let state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10, { last_seq: 3, unread_count: 3 })], replace: false });
    state = reduceInbox(state, { type: 'read', conversation_id: 1, reader: { type: 'visitor' }, seq: 3 });
    expect(state.get(1)?.unread_count).toBe(3);
    state = reduceInbox(state, { type: 'read', conversation_id: 1, reader: { type: 'agent', id: 1, name: 'Ann' }, seq: 3 });
    expect(state.get(1)?.unread_count).toBe(0);
    expect(totalUnread(state)).toBe(0);
  });

  it('filters by status and assignee; an update moves a row between filters', () => {
    let state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10), conv(2, 20, { assigned_agent_id: 7 }), conv(3, 30, { status: 'closed' })], replace: false });
    expect(ids(state, { status: 'open', assigned: 'me' })).toEqual([2]);
    expect(ids(state, { status: 'open', assigned: 'none' })).toEqual([1]);
    expect(ids(state, { status: 'closed', assigned: 'any' })).toEqual([3]);
    state = reduceInbox(state, { type: 'conversation', conversation: conv(1, 10, { status: 'closed' }) });
    expect(ids(state)).toEqual([2]);
    expect(ids(state, { status: 'closed', assigned: 'any' })).toEqual([3, 1]);
  });

  it('keeps newer message data when an older snapshot of the conversation arrives', () => {
    let state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10)], replace: false });
    state = reduceInbox(state, { type: 'message', message: message(1, 2, 50), viewing: false });
    state = reduceInbox(state, { type: 'conversation', conversation: conv(1, 10, { assigned_agent_id: 7 }) });
    expect(state.get(1)).toMatchObject({ last_seq: 2, assigned_agent_id: 7, unread_count: 2 });
  });

  it('sums unread over open conversations for the tab title', () => {
    const state = reduceInbox(empty, { type: 'loaded', conversations: [conv(1, 10, { unread_count: 2 }), conv(2, 20, { unread_count: 3 }), conv(3, 30, { status: 'closed', unread_count: 4 })], replace: false });
    expect(totalUnread(state)).toBe(5);
  });
});
