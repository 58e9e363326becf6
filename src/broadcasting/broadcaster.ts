import type { ChatEvent } from '../chat/events.js';
import { visitorView } from '../chat/dto.js';

/** Where chat events go once committed: the embedded realtime server, Pusher, a log, or nowhere. */
export interface Broadcaster {
  publish(event: ChatEvent): Promise<void>;
  close(): Promise<void>;
}

/** One Pusher event on one or more channels. */
export interface Broadcast {
  channels: string[];
  event: ChatEvent['name'];
  data: unknown;
}

export const conversationChannel = (id: number): string => `private-conversation.${id}`;
export const AGENTS_CHANNEL = 'private-agents';
export const AGENTS_PRESENCE_CHANNEL = 'presence-agents';
export const STATUS_CHANNEL = 'chat-status';

/** Maps a chat event to the channels and payloads of DESIGN.md section 6. */
export function toBroadcasts(event: ChatEvent): Broadcast[] {
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
    case 'AvailabilityChanged':
      return [{ channels: [STATUS_CHANNEL], event: event.name, data: { agents_online: event.agentsOnline } }];
    default: {
      const unreachable: never = event;
      throw new Error(`Unknown chat event ${JSON.stringify(unreachable)}`);
    }
  }
}
