/** Wire shapes of the customer API (docs/api.md), as the widget uses them. DOM-free. */
import type { AttachmentDto, WidgetConfig } from '../../../src/chat/dto.js';

export type Sender = 'visitor' | 'agent' | 'system';

export interface ChatMessage {
  id: number;
  conversation_id: number;
  seq: number;
  sender: Sender;
  author_name?: string;
  body: string;
  client_message_id?: string;
  created_at: string;
  /** Files sent with it (docs/widget.md, "Attachments"). */
  attachments?: AttachmentDto[];
}

export interface Conversation {
  id: number;
  status: 'open' | 'closed';
  last_seq: number;
  visitor_read_seq?: number;
  agent?: { id: number; name: string } | null;
}

export interface ConversationStatus {
  id: number;
  status: 'open' | 'closed';
  resumable: boolean;
  last_seq: number;
  last_activity_at: string;
  agent?: { id: number; name: string } | null;
}

/** `start`, `lookup` (device) and `resume` all answer a conversation, its token and a transcript. */
export interface Joined {
  conversation: Conversation;
  visitor_token: string;
  messages: ChatMessage[];
  resumed?: boolean;
}

export type LookupAnswer =
  | ({ match: 'device' } & Joined)
  | { match: 'network'; resume_ticket: string }
  | { match: 'none' };

/** What the server accepts as attachments (`GET /api/chat/config`): the widget refuses early, the server decides. */
export interface AttachmentLimits {
  max_bytes: number;
  types: string[];
}

/** `GET /api/chat/config`: the server's own type (type-only import, erased by the bundler). */
export type ServerConfig = WidgetConfig & { attachments?: AttachmentLimits };

/** A file on a message as the list shows it: sent (with its signed `url`) or still on its way (none). */
export interface ViewAttachment {
  name: string;
  size: number;
  type: string;
  image: boolean;
  url?: string;
}

/** A message as the list shows it: from the server (with `seq`) or still in the outbox. */
export interface ViewMessage {
  key: string;
  seq?: number;
  sender: Sender;
  body: string;
  author_name?: string;
  created_at: string;
  state: 'pending' | 'sent' | 'failed';
  attachments?: ViewAttachment[];
  /** 0 to 1 while its file uploads. */
  progress?: number;
}
