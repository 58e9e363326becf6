import type { ChatMessage, Sender } from '../../web/widget/app/types.js';

/** A server message of conversation 1, numbered `seq`, one second apart. */
export const chatMessage = (seq: number, sender: Sender = 'agent', clientMessageId?: string): ChatMessage => ({
  id: 100 + seq,
  conversation_id: 1,
  seq,
  sender,
  body: `message ${seq}`,
  created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(),
  ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
});
