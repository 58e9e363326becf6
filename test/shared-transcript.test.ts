import { describe, expect, it } from 'vitest';
import { lastSeq, mergeBySeq, Transcript } from '../web/shared/transcript.js';
import type { ChatMessage } from '../web/widget/app/types.js';
import { chatMessage as msg } from './support/chat-messages.js';

const pending = (id: string, body = id) => ({ client_message_id: id, body, created_at: '2026-01-01T12:00:00.000Z' });
const seqs = (t: Transcript<ChatMessage>) => t.messages().map((m) => m.seq);

describe('transcript (merge by seq)', () => {
  it('holds a message once when it arrives by WebSocket and again by polling', () => {
    const t = new Transcript<ChatMessage>();
    expect(t.merge([msg(1), msg(2)], true)).toHaveLength(2);
    expect(t.merge([msg(2)], false)).toEqual([]);
    expect(t.merge([msg(1), msg(2), msg(3)], true).map((m) => m.seq)).toEqual([3]);
    expect(seqs(t)).toEqual([1, 2, 3]);
  });

  it('orders by seq whatever the arrival order, and the later copy of a seq wins', () => {
    const t = new Transcript<ChatMessage>();
    t.merge([msg(3)], false);
    t.merge([msg(1), msg(2)], true);
    t.merge([{ ...msg(2), body: 'edited' }], false);
    expect(seqs(t)).toEqual([1, 2, 3]);
    expect(t.messages()[1]?.body).toBe('edited');
  });

  it('moves the catch-up cursor only while the sequence has no hole', () => {
    const t = new Transcript<ChatMessage>();
    t.merge([msg(1), msg(2)], true);
    expect(t.cursor).toBe(2);
    t.merge([msg(4)], false);
    expect(t.cursor).toBe(2);
    expect(t.hasGap()).toBe(true);
    t.merge([msg(3), msg(4)], true);
    expect(t.cursor).toBe(4);
    expect(t.hasGap()).toBe(false);
    t.merge([msg(5)], false);
    expect(t.cursor).toBe(5);
  });

  it('starts the cursor at the first visible message after a join from another device', () => {
    const t = new Transcript<ChatMessage>();
    t.merge([msg(7, 'system')], true);
    expect(t.cursor).toBe(7);
    t.merge([msg(8)], false);
    expect(t.cursor).toBe(8);
    expect(t.hasGap()).toBe(false);
  });

  it('drops a pending send once the server message with its client_message_id arrives', () => {
    const t = new Transcript<ChatMessage, ReturnType<typeof pending>>();
    t.addPending(pending('c-1', 'hello'));
    expect(t.pending()).toEqual([{ item: pending('c-1', 'hello'), failed: false }]);
    t.merge([{ ...msg(1, 'visitor', 'c-1'), body: 'hello' }], false);
    expect(t.pending()).toEqual([]);
  });

  it('does not show a send as pending again once the server has it', () => {
    const t = new Transcript<ChatMessage>();
    t.merge([msg(1, 'visitor', 'c-1')], true);
    t.addPending(pending('c-1'));
    expect(t.pending()).toEqual([]);
  });

  it('keeps pending sends in the order written, marks refused ones failed, and forgets dropped ones', () => {
    const t = new Transcript<ChatMessage>();
    ['a', 'b', 'c'].forEach((id) => t.addPending(pending(id)));
    t.failPending('b');
    t.dropPending('c');
    expect(t.pending().map((p) => [p.item.client_message_id, p.failed])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('counts matching messages after a seq (the unread badge), and clears for another conversation', () => {
    const t = new Transcript<ChatMessage>();
    t.merge([msg(1, 'visitor'), msg(2, 'agent'), msg(3, 'system'), msg(4, 'agent')], true);
    const fromAgent = (m: ChatMessage) => m.sender === 'agent';
    expect([0, 2, 4].map((seq) => t.countAfter(seq, fromAgent))).toEqual([2, 1, 0]);
    expect(t.lastSeq()).toBe(4);
    t.clear();
    expect([t.lastSeq(), t.cursor, t.messages().length]).toEqual([0, 0, 0]);
  });
});

describe('merging transcript arrays by seq', () => {
  it('keeps each seq once, in order, the later copy winning', () => {
    expect(mergeBySeq([msg(1), msg(3)], [msg(4), msg(2), msg(3)]).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(mergeBySeq([{ ...msg(1), body: 'old' }], [{ ...msg(1), body: 'new' }])[0]?.body).toBe('new');
  });

  it('loses nothing across a catch-up that overlaps realtime events', () => {
    let transcript = mergeBySeq([], [msg(1), msg(2)]);
    transcript = mergeBySeq(transcript, [msg(3)]);
    transcript = mergeBySeq(transcript, [msg(3), msg(4), msg(5)]);
    expect(transcript.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lastSeq(transcript)).toBe(5);
    expect(lastSeq([])).toBe(0);
  });
});
