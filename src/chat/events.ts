import type { AgentConversationDto, AgentStatus, MessageDto, NoteDto } from './dto.js';
import type { Reader } from './realtime-contract.js';

export type { Reader };

/** What happened in the chat, published after the database commit (docs/realtime.md, "Chat channels and events"). */
export type ChatEvent =
  | { name: 'MessageSent'; conversationId: number; message: MessageDto }
  | { name: 'ConversationStarted'; conversation: AgentConversationDto }
  /** `change: 'assigned'`: the assignee changed (webhooks send `conversation.assigned`, docs/webhooks.md). */
  | { name: 'ConversationUpdated'; conversation: AgentConversationDto; change?: 'assigned' }
  | { name: 'MessagesRead'; conversationId: number; reader: Reader; seq: number }
  /** Who can answer changed (an agent came or went, switched status, settings or business hours), for the widget. */
  | { name: 'AvailabilityChanged'; agentsOnline: number; available: boolean; nextAvailableAt: string | null }
  /** An agent switched between `online` and `away`: the other agents' dashboards show it. */
  | { name: 'AgentStatusChanged'; agentId: number; status: AgentStatus }
  /** An internal note was written: agents only, never the visitor's channel. */
  | { name: 'NoteAdded'; note: NoteDto };
