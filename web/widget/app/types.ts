/** Wire shapes of the customer API (docs/api.md), as the widget uses them. DOM-free. */

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

export interface ServerConfig {
  broadcaster: 'reverb' | 'pusher' | null;
  key: string | null;
  wsHost: string | null;
  wsPort: number | null;
  wssPort: number | null;
  forceTLS: boolean;
  cluster: string | null;
  authEndpoint: string;
  agents_online: number;
  greeting: string;
  color: string;
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
}
