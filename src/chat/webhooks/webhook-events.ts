import type { AgentConversationDto } from '../dto.js';
import type { ChatEvent } from '../events.js';

import type { WebhookEventName } from './webhook-dto.js';

export { WEBHOOK_EVENTS, type WebhookEventName } from './webhook-dto.js';

/** `note.created` goes only to endpoints registered with `include_notes`. */
export const NOTE_EVENT = 'note.created';

/** Something a webhook reports, before it is queued for each endpoint that wants it. */
export interface WebhookOccurrence {
  event: WebhookEventName | typeof NOTE_EVENT;
  conversationId: number | null;
  /** Queued once per endpoint under this key (a close or a rating is seen again in later updates). */
  dedupeKey: string | null;
  /** Set for events read from a conversation's state: endpoints registered after it do not get it. */
  happenedAt: number | null;
  data: Record<string, unknown>;
}

/**
 * What a committed chat event means for webhooks (docs/webhooks.md, "Events"). `ConversationUpdated`
 * is published for any change: a close is read from `closed_at`, a rating from `rating`, each
 * queued once by its key; an assignment is marked by the publisher (`change: 'assigned'`).
 */
export async function occurrencesOf(event: ChatEvent, conversation: (id: number) => Promise<AgentConversationDto | undefined>): Promise<WebhookOccurrence[]> {
  switch (event.name) {
    case 'ConversationStarted':
      return [{ event: 'conversation.started', conversationId: event.conversation.id, dedupeKey: `conversation.started:${event.conversation.id}`, happenedAt: null, data: { conversation: event.conversation } }];
    case 'MessageSent': {
      const current = await conversation(event.conversationId);
      const data = { conversation: current ?? null, message: event.message };
      return [{ event: 'message.created', conversationId: event.conversationId, dedupeKey: `message.created:${event.message.id}`, happenedAt: null, data }];
    }
    case 'ConversationUpdated':
      return updated(event.conversation, event.change);
    case 'NoteAdded':
      return [{ event: NOTE_EVENT, conversationId: event.note.conversation_id, dedupeKey: `note.created:${event.note.id}`, happenedAt: null, data: { note: event.note } }];
    default:
      return [];
  }
}

function updated(conversation: AgentConversationDto, change: 'assigned' | undefined): WebhookOccurrence[] {
  const found: WebhookOccurrence[] = [];
  const id = conversation.id;
  if (change === 'assigned') found.push({ event: 'conversation.assigned', conversationId: id, dedupeKey: null, happenedAt: null, data: { conversation } });
  if (conversation.status === 'closed' && conversation.closed_at !== null) {
    const at = Date.parse(conversation.closed_at);
    found.push({ event: 'conversation.closed', conversationId: id, dedupeKey: `conversation.closed:${id}:${at}`, happenedAt: at, data: { conversation } });
  }
  if (conversation.rating !== null) {
    const at = Date.parse(conversation.rating.created_at);
    found.push({ event: 'rating.created', conversationId: id, dedupeKey: `rating.created:${id}`, happenedAt: at, data: { conversation, rating: conversation.rating } });
  }
  return found;
}
