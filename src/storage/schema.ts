import type { Generated, Insertable, Selectable } from 'kysely';

/** Times are stored as epoch milliseconds (`bigint` on PostgreSQL), identical on both engines. */
type Millis = number;

export interface ConversationsTable {
  id: Generated<number>;
  status: 'open' | 'closed';
  /** HMAC of the browser's fingerprint under APP_KEY; never the raw value. */
  client_fingerprint: string | null;
  client_ip: string;
  user_agent: string;
  visitor_token_hash: string;
  visitor_name: string | null;
  visitor_email: string | null;
  page_url: string | null;
  referrer: string | null;
  assigned_agent_id: number | null;
  last_seq: number;
  visitor_read_seq: number;
  agent_read_seq: number;
  created_at: Millis;
  last_activity_at: Millis;
  closed_at: Millis | null;
  /** The `Origin` of the request that started it (null without one): rules 5 and 6 match only that site. */
  origin: string | null;
}

export interface MessagesTable {
  id: Generated<number>;
  conversation_id: number;
  seq: number;
  sender: 'visitor' | 'agent' | 'system';
  agent_id: number | null;
  body: string;
  client_message_id: string | null;
  created_at: Millis;
}

/** Every bearer token that opens a conversation; a rule-5 join sees messages from `visible_from_seq` on. */
export interface VisitorTokensTable {
  token_hash: string;
  conversation_id: number;
  visible_from_seq: number;
  created_at: Millis;
}

export interface ResumeTicketsTable {
  ticket_hash: string;
  conversation_id: number;
  fingerprint_hash: string;
  client_ip: string;
  expires_at: Millis;
  used_at: Millis | null;
  /** Random; with APP_KEY it derives the ticket again, so a repeated lookup gets the same one (see ChatService). */
  seed: string | null;
}

export interface AgentsTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  role: 'admin' | 'agent';
  created_at: Millis;
  last_seen_at: Millis | null;
  deactivated_at: Millis | null;
}

export interface AgentSessionsTable {
  token_hash: string;
  agent_id: number;
  created_at: Millis;
  expires_at: Millis;
  ip: string;
  user_agent: string;
}

export interface Database {
  conversations: ConversationsTable;
  messages: MessagesTable;
  visitor_tokens: VisitorTokensTable;
  resume_tickets: ResumeTicketsTable;
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
}

export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type AgentRow = Selectable<AgentsTable>;
export type NewConversation = Insertable<ConversationsTable>;
