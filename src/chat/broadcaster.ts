import { visitorView } from './dto.js';
import type { ChatEvent } from './events.js';
import { AGENTS_CHANNEL, conversationChannel, STATUS_CHANNEL, type ChatBroadcast } from './realtime-contract.js';

/** Where chat events go once committed: the embedded realtime server, Pusher, a log, or nowhere. */
export interface Broadcaster {
  publish(event: ChatEvent): Promise<void>;
  close(): Promise<void>;
}

/** Maps a chat event to the channels and payloads of the realtime contract (docs/realtime.md, "Chat channels and events"). */
export function toBroadcasts(event: ChatEvent): ChatBroadcast[] {
  switch (event.name) {
    case 'MessageSent':
      return [{ channels: [conversationChannel(event.conversationId), AGENTS_CHANNEL], event: event.name, data: { message: event.message } }];
    case 'MessagesRead': {
      const data = { conversation_id: event.conversationId, reader: event.reader, seq: event.seq };
      return [{ channels: [conversationChannel(event.conversationId), AGENTS_CHANNEL], event: event.name, data }];
    }
    case 'ConversationStarted':
      return [{ channels: [AGENTS_CHANNEL], event: event.name, data: { conversation: event.conversation } }];
    case 'ConversationUpdated':
      return [
        { channels: [conversationChannel(event.conversation.id)], event: event.name, data: { conversation: visitorView(event.conversation) } },
        { channels: [AGENTS_CHANNEL], event: event.name, data: { conversation: event.conversation } },
      ];
    case 'AvailabilityChanged': {
      const data = { agents_online: event.agentsOnline, available: event.available, next_available_at: event.nextAvailableAt };
      return [{ channels: [STATUS_CHANNEL], event: event.name, data }];
    }
    case 'AgentStatusChanged':
      return [{ channels: [AGENTS_CHANNEL], event: event.name, data: { agent_id: event.agentId, status: event.status } }];
    // Internal notes never reach the conversation's channel: its visitor must not see them.
    case 'NoteAdded':
      return [{ channels: [AGENTS_CHANNEL], event: event.name, data: { note: event.note } }];
    default: {
      const unreachable: never = event;
      throw new Error(`Unknown chat event ${JSON.stringify(unreachable)}`);
    }
  }
}
