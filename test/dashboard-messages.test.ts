import { describe, expect, it } from 'vitest';
import { unacknowledged, type PendingReply } from '../web/dashboard/session/reply-outbox.js';
import { lastSeq, mergeBySeq as mergeMessages } from '../web/shared/transcript.js';
import type { Message } from '../web/dashboard/types.js';

const msg = (seq: number, body = `m${seq}`, extra: Partial<Message> = {}): Message => ({
  id: seq,
  conversation_id: 1,
  seq,
  sender: 'visitor',
  body,
  created_at: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
  ...extra,
});

describe('merging a transcript by seq', () => {
  it('keeps each seq once, in order, whatever order copies arrive in', () => {
    const merged = mergeMessages([msg(1), msg(3)], [msg(4), msg(2), msg(3)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('lets the later copy of a seq win', () => {
    expect(mergeMessages([msg(1, 'old')], [msg(1, 'new')])[0]?.body).toBe('new');
  });

  it('loses nothing across a catch-up that overlaps realtime events', () => {
    let transcript = mergeMessages([], [msg(1), msg(2)]);
    transcript = mergeMessages(transcript, [msg(3)]); // realtime
    transcript = mergeMessages(transcript, [msg(3), msg(4), msg(5)]); // ?after=2 on reconnect
    expect(transcript.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lastSeq(transcript)).toBe(5);
    expect(lastSeq([])).toBe(0);
  });

  it('drops pending replies once the transcript holds their client_message_id', () => {
    const pending: PendingReply[] = [
      { client_message_id: 'a-1', conversation_id: 1, body: 'hi', failed: false },
      { client_message_id: 'a-2', conversation_id: 1, body: 'there', failed: true },
    ];
    const left = unacknowledged(pending, [msg(1), msg(2, 'hi', { sender: 'agent', client_message_id: 'a-1' })]);
    expect(left.map((p) => p.client_message_id)).toEqual(['a-2']);
  });
});
