import type { AgentConversationDto, MessageDto } from './dto.js';
import type { Reader } from './realtime-contract.js';

export type { Reader };

/** What happened in the chat, published after the database commit (docs/realtime.md, "Chat channels and events"). */
export type ChatEvent =
  | { name: 'MessageSent'; conversationId: number; message: MessageDto }
  | { name: 'ConversationStarted'; conversation: AgentConversationDto }
  | { name: 'ConversationUpdated'; conversation: AgentConversationDto }
  | { name: 'MessagesRead'; conversationId: number; reader: Reader; seq: number }
  /** Agents online changed (the `presence-agents` roster), for the widget's "we're online" line. */
  | { name: 'AvailabilityChanged'; agentsOnline: number };
