/** Wire shapes the dashboard reads: the server's own DTO types (docs/api.md), type-only imports. */
import type { AgentConversationDto, AgentRef, MessageDto } from '../../src/chat/dto.js';

export type { AgentRef };
export type Message = MessageDto;
export type Conversation = AgentConversationDto;

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
