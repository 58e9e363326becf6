import type { KeyValueStore } from '../../shared/key-value-store.js';
import type { Transcript } from '../../shared/transcript.js';
import type { OutboxItem } from './outbox-item.js';
import { KEYS } from './storage.js';
import type { ChatMessage, ViewMessage } from './types.js';

/** The visitor's transcript: server messages and the outbox items not yet acknowledged. */
export type VisitorTranscript = Transcript<ChatMessage, OutboxItem>;

/** Server messages in `seq` order, then pending ones in the order they were written; `progress` answers a file's upload progress (0 to 1). */
export function viewMessages(transcript: VisitorTranscript, progress: (clientMessageId: string) => number | undefined = () => undefined): ViewMessage[] {
  const sent = transcript.messages().map((m): ViewMessage => {
    const view: ViewMessage = { key: keyOf(m.client_message_id, m.seq), seq: m.seq, sender: m.sender, body: m.body, created_at: m.created_at, state: 'sent' };
    if (m.author_name !== undefined) view.author_name = m.author_name;
    if (m.attachments?.length) view.attachments = m.attachments.map(({ name, size, type, image, url }) => ({ name, size, type, image, url }));
    return view;
  });
  const waiting = transcript.pending().map(({ item, failed }): ViewMessage => {
    const view: ViewMessage = { key: keyOf(item.client_message_id), sender: 'visitor', body: item.body, created_at: item.created_at, state: failed ? 'failed' : 'pending' };
    if (item.file) view.attachments = [{ ...item.file, image: false }];
    const done = failed ? undefined : progress(item.client_message_id);
    if (done !== undefined) view.progress = done;
    return view;
  });
  return sent.concat(waiting);
}

/** Agent messages after `seq`: the unread count. */
export const unreadAfter = (transcript: VisitorTranscript, seq: number): number => transcript.countAfter(seq, (m) => m.sender === 'agent');

/** Agent messages the visitor has not seen (`chat_last_seq`): the launcher's badge. */
export const unreadCount = (transcript: VisitorTranscript, store: KeyValueStore): number => unreadAfter(transcript, Number(store.getItem(KEYS.lastSeq) ?? 0));

/** The open panel shows everything: moves `chat_last_seq` to the end, and reports it when that includes new agent messages. */
export function markSeen(transcript: VisitorTranscript, store: KeyValueStore, report: (seq: number) => void): void {
  const readSeq = Number(store.getItem(KEYS.lastSeq) ?? 0);
  const last = transcript.lastSeq();
  if (last <= readSeq) return;
  const news = unreadAfter(transcript, readSeq) > 0;
  store.setItem(KEYS.lastSeq, String(last));
  if (news) report(last);
}

/** One key per message for its whole life, so a pending bubble becomes the sent one in place. */
const keyOf = (clientMessageId: string | undefined, seq?: number): string => (clientMessageId !== undefined ? `c:${clientMessageId}` : `s:${seq}`);
