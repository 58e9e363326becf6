import { describe, expect, it } from 'vitest';
import { MessageStore } from '../web/widget/app/message-store.js';
import type { ChatMessage, Sender } from '../web/widget/app/types.js';

const msg = (seq: number, sender: Sender = 'agent', clientMessageId?: string): ChatMessage => ({
  id: 100 + seq,
  conversation_id: 1,
  seq,
  sender,
  body: `message ${seq}`,
  created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(),
  ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
});

describe('widget message store (merge by seq)', () => {
  it('shows a message once when it arrives by WebSocket and again by polling', () => {
    const store = new MessageStore();
    expect(store.merge([msg(1), msg(2)], true)).toHaveLength(2);
    expect(store.merge([msg(2)], false)).toEqual([]);
    expect(store.merge([msg(1), msg(2), msg(3)], true).map((m) => m.seq)).toEqual([3]);
    expect(store.list().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('orders by seq whatever the arrival order', () => {
    const store = new MessageStore();
    store.merge([msg(3)], false);
    store.merge([msg(1), msg(2)], true);
    expect(store.list().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('moves the catch-up cursor only while the sequence has no hole', () => {
    const store = new MessageStore();
    store.merge([msg(1), msg(2)], true);
    expect(store.cursor).toBe(2);
    store.merge([msg(4)], false);
    expect(store.cursor).toBe(2);
    expect(store.hasGap()).toBe(true);
    store.merge([msg(3), msg(4)], true);
    expect(store.cursor).toBe(4);
    expect(store.hasGap()).toBe(false);
    store.merge([msg(5)], false);
    expect(store.cursor).toBe(5);
  });

  it('starts the cursor at the first visible message after a join from another device', () => {
    const store = new MessageStore();
    store.merge([msg(7, 'system')], true);
    expect(store.cursor).toBe(7);
    store.merge([msg(8)], false);
    expect(store.cursor).toBe(8);
    expect(store.hasGap()).toBe(false);
  });

  it('replaces a pending outbox message with the server message of the same client_message_id, in place', () => {
    const store = new MessageStore();
    store.addPending({ client_message_id: 'c-1', body: 'hello', created_at: '2026-01-01T12:00:00.000Z' });
    const [pending] = store.list();
    expect(pending).toMatchObject({ state: 'pending', sender: 'visitor', body: 'hello' });
    expect(pending?.seq).toBeUndefined();

    store.merge([{ ...msg(1, 'visitor', 'c-1'), body: 'hello' }], false);
    const list = store.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ key: pending?.key, seq: 1, state: 'sent' });
  });

  it('does not show an outbox message as pending again once the server has it', () => {
    const store = new MessageStore();
    store.merge([msg(1, 'visitor', 'c-1')], true);
    store.addPending({ client_message_id: 'c-1', body: 'message 1', created_at: '2026-01-01T12:00:00.000Z' });
    expect(store.list().map((m) => m.state)).toEqual(['sent']);
  });

  it('lists pending messages after the numbered ones, and marks refused ones failed', () => {
    const store = new MessageStore();
    store.addPending({ client_message_id: 'a', body: 'first', created_at: '2026-01-01T12:00:00.000Z' });
    store.addPending({ client_message_id: 'b', body: 'second', created_at: '2026-01-01T12:00:01.000Z' });
    store.merge([msg(1)], true);
    store.failPending('b');
    expect(store.list().map((m) => [m.body, m.state])).toEqual([
      ['message 1', 'sent'],
      ['first', 'pending'],
      ['second', 'failed'],
    ]);
  });

  it('counts agent messages after a seq for the unread badge', () => {
    const store = new MessageStore();
    store.merge([msg(1, 'visitor'), msg(2, 'agent'), msg(3, 'system'), msg(4, 'agent')], true);
    expect(store.countAfter(0)).toBe(2);
    expect(store.countAfter(2)).toBe(1);
    expect(store.countAfter(4)).toBe(0);
    expect(store.lastSeq()).toBe(4);
  });
});
