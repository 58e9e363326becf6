/** Wire shapes the dashboard reads (src/chat/dto.ts, docs/api.md). */
export interface Message {
  id: number;
  conversation_id: number;
  seq: number;
  sender: 'visitor' | 'agent' | 'system';
  author_name?: string;
  body: string;
  client_message_id?: string;
  created_at: string;
}

export interface AgentRef {
  id: number;
  name: string;
}

export interface Conversation {
  id: number;
  status: 'open' | 'closed';
  last_seq: number;
  visitor_read_seq: number;
  agent_read_seq: number;
  created_at: string;
  last_activity_at: string;
  closed_at: string | null;
  agent: AgentRef | null;
  visitor_name: string | null;
  visitor_email: string | null;
  client_ip: string;
  user_agent: string;
  fingerprint_short: string | null;
  page_url: string | null;
  referrer: string | null;
  assigned_agent_id: number | null;
  unread_count: number;
  last_message: Message | null;
}

export interface Agent {
  id: number;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  active: boolean;
  created_at: string;
  last_seen_at: string | null;
}

export interface ChatConfig {
  broadcaster: 'reverb' | 'pusher' | null;
  key: string | null;
  wsHost: string | null;
  wsPort: number | null;
  wssPort: number | null;
  forceTLS: boolean;
  cluster: string | null;
}

export interface TypingData {
  typing?: boolean;
  name?: string;
  from?: string;
}
