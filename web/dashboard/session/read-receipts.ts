import { lastSeq } from '../../shared/transcript.js';
import { openConversation, openTranscript, type DashboardState } from './session-state.js';

/**
 * The read receipt to send, if any: the open, visible conversation is read up to the last seq
 * held, once per seq (`sent` holds the seq last sent for each conversation).
 */
export function readReceiptDue(state: DashboardState, sent: ReadonlyMap<number, number>): { id: number; seq: number } | undefined {
  const conversation = openConversation(state);
  const transcript = openTranscript(state);
  const held = transcript ? lastSeq(transcript.messages) : 0;
  if (state.selected === null || !conversation || !state.visible || held === 0) return undefined;
  if (conversation.agent_read_seq >= held && conversation.unread_count === 0) return undefined;
  if ((sent.get(state.selected) ?? 0) >= held) return undefined;
  return { id: state.selected, seq: held };
}
