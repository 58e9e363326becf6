import type { Transcript } from '../../shared/transcript.js';
import type { OutboxItem } from './outbox-item.js';
import type { ChatMessage, ViewMessage } from './types.js';

/** The visitor's transcript: server messages and the outbox items not yet acknowledged. */
export type VisitorTranscript = Transcript<ChatMessage, OutboxItem>;

/** Server messages in `seq` order, then pending ones in the order they were written. */
export function viewMessages(transcript: VisitorTranscript): ViewMessage[] {
  const sent = transcript.messages().map((m): ViewMessage => {
    const view: ViewMessage = { key: keyOf(m.client_message_id, m.seq), seq: m.seq, sender: m.sender, body: m.body, created_at: m.created_at, state: 'sent' };
    if (m.author_name !== undefined) view.author_name = m.author_name;
    return view;
  });
  const waiting = transcript
    .pending()
    .map(({ item, failed }): ViewMessage => ({ key: keyOf(item.client_message_id), sender: 'visitor', body: item.body, created_at: item.created_at, state: failed ? 'failed' : 'pending' }));
  return sent.concat(waiting);
}

/** Agent messages after `seq`: the unread count. */
export const unreadAfter = (transcript: VisitorTranscript, seq: number): number => transcript.countAfter(seq, (m) => m.sender === 'agent');

/** One key per message for its whole life, so a pending bubble becomes the sent one in place. */
const keyOf = (clientMessageId: string | undefined, seq?: number): string => (clientMessageId !== undefined ? `c:${clientMessageId}` : `s:${seq}`);
