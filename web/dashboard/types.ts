/** Wire shapes the dashboard reads: the server's own DTO types (docs/api.md), type-only imports. */
import type { AgentConversationDto, AttachmentDto, AgentDto, AgentRef, AgentStatus, BusinessHours, ChatSettingsDto, MessageDto, NoteDto, OfflineMode, WidgetConfig } from '../../src/chat/dto.js';

export type { AgentRef, AgentStatus, BusinessHours, ChatSettingsDto, OfflineMode };
export type Message = MessageDto;
/** A file on a message (docs/dashboard.md, "Attachments"). */
export type Attachment = AttachmentDto;
/** An internal note: agents only (docs/dashboard.md, "Internal notes"). */
export type Note = NoteDto;
export type Conversation = AgentConversationDto;

export type Agent = AgentDto;
/** The part of `GET /api/chat/config` the dashboard uses to connect. */
export type ChatConfig = Pick<WidgetConfig, 'broadcaster' | 'key' | 'wsHost' | 'wsPort' | 'wssPort' | 'forceTLS' | 'cluster'>;

export interface TypingData {
  typing?: boolean;
  name?: string;
  from?: string;
}
