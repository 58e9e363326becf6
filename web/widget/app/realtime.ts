import type { AvailabilityPayload, ConversationChannelName, Reader, TypingWhisper } from '../../../src/chat/realtime-contract.js';
import { conversationChannelName, STATUS_CHANNEL_NAME } from '../../shared/channel-names.js';
import { bindEvents, type Bindable, type EventHandlers, type LinkState } from '../../shared/channel-events.js';
import { connectPusher as openPusher } from '../../shared/pusher-connection.js';
import { bindTyping } from '../../shared/typing-sender.js';
import type { ChatMessage, Conversation, ServerConfig } from './types.js';

/** What the widget hears on `private-conversation.{id}` (docs/realtime.md, "Chat channels and events"). */
export interface ConversationEvents {
  message(message: ChatMessage): void;
  read(seq: number, reader: Reader): void;
  conversation(conversation: Conversation): void;
  typing(data: TypingWhisper): void;
  subscribed(): void;
  subscriptionError(status?: number): void;
}

/** What the widget hears on the connection and on `chat-status`. */
export interface LinkEvents {
  state(state: LinkState): void;
  availability(change: AvailabilityPayload): void;
  /** `chat-status` is (re)subscribed: an AvailabilityChanged sent before that was not heard here. */
  statusSubscribed(): void;
}

/** One WebSocket connection: the public `chat-status` channel and at most one conversation channel. */
export interface RealtimeLink {
  subscribe(conversationId: number, events: ConversationEvents): void;
  unsubscribe(): void;
  whisperTyping(data: TypingWhisper): void;
  disconnect(): void;
}

/** The contract's conversation events, handed to the widget's handlers. */
const conversationHandlers = (on: ConversationEvents): EventHandlers<'conversation'> => ({
  MessageSent: (data) => on.message(data.message),
  MessagesRead: (data) => on.read(data.seq, data.reader),
  ConversationUpdated: (data) => on.conversation(data.conversation),
});

const statusHandlers = (events: LinkEvents): EventHandlers<'status'> => ({
  AvailabilityChanged: (data) => events.availability(data),
});

/** A pusher-js connection with the settings of `GET /api/chat/config`, authorised by the visitor token. */
export function connectPusher(config: ServerConfig, token: () => string | undefined, events: LinkEvents, debug?: (...args: unknown[]) => void): RealtimeLink {
  const pusher = openPusher(config, { endpoint: config.authEndpoint, headers: () => ({ Authorization: `Bearer ${token() ?? ''}` }) }, debug);
  pusher.connection.bind('state_change', (change: { current: LinkState }) => events.state(change.current));
  const status = pusher.subscribe(STATUS_CHANNEL_NAME);
  bindEvents(status, 'status', statusHandlers(events));
  status.bind('pusher:subscription_succeeded', () => events.statusSubscribed());
  events.state(pusher.connection.state as LinkState);

  let current: ConversationChannelName | undefined;
  let conversation: ConversationEvents | undefined;
  // Typing whispers come through the connection: only there does pusher-js hand over the server-set sender.
  bindTyping<TypingWhisper>(pusher.connection, () => current, (data) => conversation?.typing(data));
  return {
    subscribe(id, on) {
      if (current) pusher.unsubscribe(current);
      current = conversationChannelName(id);
      conversation = on;
      const channel = pusher.subscribe(current);
      bindEvents(channel, 'conversation', conversationHandlers(on));
      channel.bind('pusher:subscription_succeeded', () => on.subscribed());
      channel.bind('pusher:subscription_error', (error: { status?: number }) => on.subscriptionError(error?.status));
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
  listen(event: `.${string}`, callback: (data: never) => void): EchoChannel;
  listenForWhisper?(event: string, callback: (data: TypingWhisper) => void): EchoChannel;
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

/** Echo names events by class, so the contract's `MessageSent` is listened to as `.MessageSent`. */
const echoEvents = (channel: EchoChannel): Bindable => ({ bind: (event, callback) => channel.listen(`.${event}`, callback) });

/** Echo's name for a private channel: without the `private-` prefix it adds itself. */
const echoName = (id: number): string => conversationChannelName(id).slice('private-'.length);

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
  const status = echo.channel(STATUS_CHANNEL_NAME);
  bindEvents(echoEvents(status), 'status', statusHandlers(events));
  status.subscribed?.(() => events.statusSubscribed());

  let current: EchoChannel | undefined;
  let currentId: number | undefined;
  const leave = () => {
    if (currentId !== undefined) echo.leave?.(echoName(currentId));
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
      const channel = (current = echo.private(echoName(id)));
      bindEvents(echoEvents(channel), 'conversation', conversationHandlers(on));
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
