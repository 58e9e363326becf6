import PusherImport from 'pusher-js';
import { bindTyping } from '../shared/typing-sender.js';
import type { ChatConfig, Conversation, Message, TypingData } from './types.js';

// pusher-js's web build is a webpack bundle whose module object holds the class as `default`.
const Pusher = ((PusherImport as unknown as { default?: typeof PusherImport }).default ?? PusherImport) as typeof PusherImport;
type PusherClient = InstanceType<typeof PusherImport>;

export type LinkState = 'initialized' | 'connecting' | 'connected' | 'unavailable' | 'failed' | 'disconnected' | 'polling';

export interface InboxHandlers {
  started(conversation: Conversation): void;
  updated(conversation: Conversation): void;
  message(message: Message): void;
  read(data: { conversation_id: number; reader: { type?: string }; seq: number }): void;
  state(state: LinkState): void;
  presence(names: string[]): void;
  /** `private-agents` is (re)subscribed: what was broadcast before that was not heard here. */
  subscribed(): void;
}

export interface ConversationHandlers {
  typing(data: TypingData): void;
}

/** The dashboard's one WebSocket: `private-agents`, `presence-agents` and the open conversation. */
export interface AgentLink {
  watch(conversationId: number | null, handlers: ConversationHandlers): void;
  whisperTyping(data: TypingData): void;
  disconnect(): void;
}

/** No WebSocket server (broadcaster null): the dashboard polls. */
export function pollingLink(handlers: Pick<InboxHandlers, 'state'>): AgentLink {
  handlers.state('polling');
  return { watch: () => undefined, whisperTyping: () => undefined, disconnect: () => undefined };
}

export function connectAgentLink(config: ChatConfig, handlers: InboxHandlers): AgentLink {
  if (!config.broadcaster || !config.key) return pollingLink(handlers);
  const pusher: PusherClient = new Pusher(config.key, {
    cluster: config.cluster ?? '',
    wsHost: config.wsHost ?? undefined,
    wsPort: config.wsPort ?? undefined,
    wssPort: config.wssPort ?? undefined,
    forceTLS: config.forceTLS,
    enabledTransports: ['ws', 'wss'],
    channelAuthorization: { endpoint: '/broadcasting/auth', transport: 'ajax' },
  });
  pusher.connection.bind('state_change', (change: { current: LinkState }) => handlers.state(change.current));
  handlers.state(pusher.connection.state as LinkState);

  const agents = pusher.subscribe('private-agents');
  agents.bind('ConversationStarted', (d: { conversation: Conversation }) => handlers.started(d.conversation));
  agents.bind('ConversationUpdated', (d: { conversation: Conversation }) => handlers.updated(d.conversation));
  agents.bind('MessageSent', (d: { message: Message }) => handlers.message(d.message));
  agents.bind('pusher:subscription_succeeded', () => handlers.subscribed());
  agents.bind('MessagesRead', (d: { conversation_id: number; reader: { type?: string }; seq: number }) => handlers.read(d));

  const presence = pusher.subscribe('presence-agents');
  const members = () => {
    const names: string[] = [];
    (presence as unknown as { members: { each(cb: (m: { id: string; info?: { name?: string } }) => void): void } }).members.each((m) =>
      names.push(m.info?.name ?? `Agent ${m.id}`),
    );
    handlers.presence(names);
  };
  for (const event of ['pusher:subscription_succeeded', 'pusher:member_added', 'pusher:member_removed']) presence.bind(event, members);

  let current: string | undefined;
  let conversation: ConversationHandlers | undefined;
  bindTyping<TypingData>(pusher.connection, () => current, (data) => conversation?.typing(data));
  return {
    watch(conversationId, conversationHandlers) {
      if (current) pusher.unsubscribe(current);
      current = conversationId === null ? undefined : `private-conversation.${conversationId}`;
      conversation = conversationHandlers;
      if (current) pusher.subscribe(current);
    },
    whisperTyping(data) {
      const channel = current ? pusher.channel(current) : undefined;
      if (channel?.subscribed) channel.trigger('client-typing', data);
    },
    disconnect: () => pusher.disconnect(),
  };
}
