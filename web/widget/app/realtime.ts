import PusherImport from 'pusher-js';
import { bindTyping } from '../../shared/typing-sender.js';
import type { LinkState } from './delivery.js';
import type { ChatMessage, Conversation, ServerConfig } from './types.js';

/** What the widget hears on `private-conversation.{id}` (DESIGN.md section 6). */
export interface ConversationEvents {
  message(message: ChatMessage): void;
  read(seq: number, reader: { type: string }): void;
  conversation(conversation: Conversation): void;
  typing(data: TypingData): void;
  subscribed(): void;
  subscriptionError(status?: number): void;
}

export interface TypingData {
  typing?: boolean;
  name?: string;
  /** Set by the widget on its own whispers, so a visitor's other tab is not shown as the agent typing. */
  from?: string;
}

export interface LinkEvents {
  state(state: LinkState): void;
  availability(agentsOnline: number): void;
}

/** One WebSocket connection: the public `chat-status` channel and at most one conversation channel. */
export interface RealtimeLink {
  subscribe(conversationId: number, events: ConversationEvents): void;
  unsubscribe(): void;
  whisperTyping(data: TypingData): void;
  disconnect(): void;
}

const STATUS_CHANNEL = 'chat-status';
const channelName = (id: number): string => `private-conversation.${id}`;

// pusher-js's web build is a webpack bundle whose module object holds the class as `default`.
const Pusher = ((PusherImport as unknown as { default?: typeof PusherImport }).default ?? PusherImport) as typeof PusherImport;

type Bindable = { bind(event: string, callback: (data: never) => void): unknown };

/** Binds the conversation events on a pusher-js channel; typing whispers come through the connection (see `connectPusher`). */
function bindConversation(channel: Bindable, events: ConversationEvents): void {
  channel.bind('MessageSent', (data: { message: ChatMessage }) => events.message(data.message));
  channel.bind('MessagesRead', (data: { seq: number; reader: { type: string } }) => events.read(data.seq, data.reader));
  channel.bind('ConversationUpdated', (data: { conversation: Conversation }) => events.conversation(data.conversation));
  channel.bind('pusher:subscription_succeeded', () => events.subscribed());
  channel.bind('pusher:subscription_error', (error: { status?: number }) => events.subscriptionError(error?.status));
}

/** A pusher-js connection with the settings of `GET /api/chat/config`, authorised by the visitor token. */
export function connectPusher(config: ServerConfig, token: () => string | undefined, events: LinkEvents, debug?: (...args: unknown[]) => void): RealtimeLink {
  if (debug) Pusher.log = (message: string) => debug('pusher:', message);
  const pusher = new Pusher(config.key ?? '', {
    cluster: config.cluster ?? '',
    wsHost: config.wsHost ?? undefined,
    wsPort: config.wsPort ?? undefined,
    wssPort: config.wssPort ?? undefined,
    forceTLS: config.forceTLS,
    enabledTransports: ['ws', 'wss'],
    channelAuthorization: {
      endpoint: config.authEndpoint,
      transport: 'ajax',
      headersProvider: () => ({ Authorization: `Bearer ${token() ?? ''}` }),
    },
  });
  pusher.connection.bind('state_change', (change: { current: LinkState }) => events.state(change.current));
  pusher.subscribe(STATUS_CHANNEL).bind('AvailabilityChanged', (data: { agents_online: number }) => events.availability(data.agents_online));
  events.state(pusher.connection.state as LinkState);

  let current: string | undefined;
  let conversation: ConversationEvents | undefined;
  bindTyping<TypingData>(pusher.connection, () => current, (data) => conversation?.typing(data));
  return {
    subscribe(id, conversationEvents) {
      if (current) pusher.unsubscribe(current);
      current = channelName(id);
      conversation = conversationEvents;
      bindConversation(pusher.subscribe(current), conversationEvents);
    },
    unsubscribe() {
      if (current) pusher.unsubscribe(current);
      current = undefined;
      conversation = undefined;
    },
    whisperTyping(data) {
      const channel = current ? pusher.channel(current) : undefined;
      if (channel?.subscribed) channel.trigger('client-typing', data);
    },
    disconnect: () => pusher.disconnect(),
  };
}

/** An Echo channel, as much of it as the widget uses. */
interface EchoChannel {
  listen(event: string, callback: (data: never) => void): EchoChannel;
  listenForWhisper?(event: string, callback: (data: TypingData) => void): EchoChannel;
  whisper?(event: string, data: unknown): EchoChannel;
  subscribed?(callback: () => void): EchoChannel;
  error?(callback: (error: { status?: number }) => void): EchoChannel;
}

/** The parts of a host page's Laravel Echo (pusher or reverb broadcaster) the widget uses. */
export interface EchoLike {
  connector?: {
    options?: { key?: string; auth?: { headers?: Record<string, string> } };
    pusher?: { connection?: { state: string; bind(event: string, callback: (change: { current: LinkState }) => void): void } };
  };
  private(name: string): EchoChannel;
  channel(name: string): EchoChannel;
  leave?(name: string): void;
}

/**
 * Uses the host page's `window.Echo` (the seed's setup): `Echo.private('conversation.' + id)
 * .listen('.MessageSent', …)`, with the visitor token added to Echo's auth headers. Answers
 * undefined when that Echo talks to another app (another key): the widget then connects itself.
 */
export function connectEcho(echo: EchoLike, config: ServerConfig, token: () => string | undefined, events: LinkEvents): RealtimeLink | undefined {
  const options = echo.connector?.options;
  if (options?.key !== undefined && options.key !== config.key) return undefined;
  const connection = echo.connector?.pusher?.connection;
  if (connection) {
    connection.bind('state_change', (change) => events.state(change.current));
    events.state(connection.state as LinkState);
  }
  echo.channel(STATUS_CHANNEL).listen('.AvailabilityChanged', (data: { agents_online: number }) => events.availability(data.agents_online));

  let current: EchoChannel | undefined;
  let currentId: number | undefined;
  const leave = () => {
    if (currentId !== undefined) echo.leave?.(`conversation.${currentId}`);
    current = currentId = undefined;
  };
  return {
    subscribe(id, on) {
      leave();
      if (options) {
        options.auth ??= {};
        options.auth.headers ??= {};
        options.auth.headers.Authorization = `Bearer ${token() ?? ''}`;
      }
      currentId = id;
      const channel = echo.private(`conversation.${id}`);
      current = channel
        .listen('.MessageSent', (data: { message: ChatMessage }) => on.message(data.message))
        .listen('.MessagesRead', (data: { seq: number; reader: { type: string } }) => on.read(data.seq, data.reader))
        .listen('.ConversationUpdated', (data: { conversation: Conversation }) => on.conversation(data.conversation));
      channel.listenForWhisper?.('typing', (data) => on.typing(data ?? {}));
      channel.subscribed?.(() => {
        // Without a pusher connection to watch, a working subscription is the best sign of one.
        if (!connection) events.state('connected');
        on.subscribed();
      });
      channel.error?.((error) => on.subscriptionError(error?.status));
    },
    unsubscribe: leave,
    whisperTyping(data) {
      current?.whisper?.('typing', data);
    },
    disconnect: () => undefined,
  };
}
