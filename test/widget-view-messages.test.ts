import { describe, expect, it } from 'vitest';
import { Transcript } from '../web/shared/transcript.js';
import { chatMessage as msg } from './support/chat-messages.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { KEYS } from '../web/widget/app/storage.js';
import { markSeen, unreadAfter, unreadCount, viewMessages, type VisitorTranscript } from '../web/widget/app/view-messages.js';

describe('widget message list (the transcript as shown)', () => {
  it('replaces a pending outbox message with the server message of the same client_message_id, in place', () => {
    const t: VisitorTranscript = new Transcript();
    t.addPending({ client_message_id: 'c-1', body: 'hello', created_at: '2026-01-01T12:00:00.000Z' });
    const [pending] = viewMessages(t);
    expect(pending).toMatchObject({ state: 'pending', sender: 'visitor', body: 'hello' });
    expect(pending?.seq).toBeUndefined();

    t.merge([{ ...msg(1, 'visitor', 'c-1'), body: 'hello' }], false);
    const list = viewMessages(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ key: pending?.key, seq: 1, state: 'sent' });
  });

  it('lists pending messages after the numbered ones, and marks refused ones failed', () => {
    const t: VisitorTranscript = new Transcript();
    t.addPending({ client_message_id: 'a', body: 'first', created_at: '2026-01-01T12:00:00.000Z' });
    t.addPending({ client_message_id: 'b', body: 'second', created_at: '2026-01-01T12:00:01.000Z' });
    t.merge([msg(1)], true);
    t.failPending('b');
    expect(viewMessages(t).map((m) => [m.body, m.state])).toEqual([
      ['message 1', 'sent'],
      ['first', 'pending'],
      ['second', 'failed'],
    ]);
  });

  it('counts agent messages after a seq for the unread badge', () => {
    const t: VisitorTranscript = new Transcript();
    t.merge([msg(1, 'visitor'), msg(2, 'agent'), msg(3, 'system'), msg(4, 'agent')], true);
    expect([0, 2, 4].map((seq) => unreadAfter(t, seq))).toEqual([2, 1, 0]);
  });

  it('marks everything shown as seen, and reports it to the server only when that includes new agent messages', () => {
    const t: VisitorTranscript = new Transcript();
    const store = new MemoryStore();
    const reported: number[] = [];
    t.merge([msg(1, 'visitor'), msg(2, 'agent')], true);
    expect(unreadCount(t, store)).toBe(1);
    markSeen(t, store, (seq) => reported.push(seq));
    expect([store.getItem(KEYS.lastSeq), unreadCount(t, store)]).toEqual(['2', 0]);
    t.merge([msg(3, 'visitor')], true);
    markSeen(t, store, (seq) => reported.push(seq));
    markSeen(t, store, (seq) => reported.push(seq));
    expect(store.getItem(KEYS.lastSeq)).toBe('3');
    expect(reported).toEqual([2]);
  });
});
