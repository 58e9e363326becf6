/**
 * The chat's realtime contract: every channel Parley uses, the events each carries and their
 * payloads (docs/realtime.md, "Chat channels and events"). The server's broadcasts, the channel grants of
 * `POST /broadcasting/auth` and both browser apps are typed by this one module; browser code
 * imports it type-only, so a new event is added here and the compiler points at every place that
 * must handle it.
 */
import type { AgentConversationDto, AgentRef, MessageDto, NoteDto, VisitorConversationDto } from './dto.js';

export const AGENTS_CHANNEL = 'private-agents';
export const AGENTS_PRESENCE_CHANNEL = 'presence-agents';
export const STATUS_CHANNEL = 'chat-status';
export type ConversationChannelName = `private-conversation.${number}`;

/** Who marked messages read: the visitor, or an agent by id and name. */
export type Reader = { type: 'visitor' } | ({ type: 'agent' } & AgentRef);

export interface MessageSentPayload {
  message: MessageDto;
}
export interface MessagesReadPayload {
  conversation_id: number;
  reader: Reader;
  seq: number;
}
export interface ConversationPayload<C> {
  conversation: C;
}
/** Who can answer: `available` and `next_available_at` as `GET /api/chat/config` reports them (docs/api.md, "Availability"). */
export interface AvailabilityPayload {
  agents_online: number;
  available: boolean;
  next_available_at: string | null;
}
/** An agent switched between `online` and `away`: other agents' dashboards show it. */
export interface AgentStatusPayload {
  agent_id: number;
  status: 'online' | 'away';
}

/** An internal note, for agents only (docs/api.md, "Internal notes"). */
export interface NoteAddedPayload {
  note: NoteDto;
}

/** The `client-typing` whisper on a conversation channel; `from` is the sender's claim, trusted only without a server-set `user_id`. */
export interface TypingWhisper {
  typing?: boolean;
  name?: string;
  from?: string;
}

/** An agent in the `presence-agents` roster (`user_info`). */
export interface AgentMemberInfo {
  name: string;
  role: 'admin' | 'agent';
}

/** Each chat channel: its name, the server events on it with their payloads, and the whispers clients may relay. */
export interface ChatChannels {
  conversation: {
    name: ConversationChannelName;
    events: { MessageSent: MessageSentPayload; MessagesRead: MessagesReadPayload; ConversationUpdated: ConversationPayload<VisitorConversationDto> };
    whispers: { 'client-typing': TypingWhisper };
  };
  agents: {
    name: typeof AGENTS_CHANNEL;
    events: {
      ConversationStarted: ConversationPayload<AgentConversationDto>;
      ConversationUpdated: ConversationPayload<AgentConversationDto>;
      MessageSent: MessageSentPayload;
      MessagesRead: MessagesReadPayload;
      AgentStatusChanged: AgentStatusPayload;
      NoteAdded: NoteAddedPayload;
    };
    whispers: Record<never, never>;
  };
  'agents-presence': { name: typeof AGENTS_PRESENCE_CHANNEL; events: Record<never, never>; whispers: Record<never, never> };
  status: { name: typeof STATUS_CHANNEL; events: { AvailabilityChanged: AvailabilityPayload }; whispers: Record<never, never> };
}

export type ChannelKind = keyof ChatChannels;
export type ChannelName<K extends ChannelKind = ChannelKind> = ChatChannels[K]['name'];
export type EventsOf<K extends ChannelKind> = ChatChannels[K]['events'];
/** Every server event name of the chat. */
export type ChatEventName = { [K in ChannelKind]: keyof EventsOf<K> }[ChannelKind];
/** The channel kinds that carry an event. */
export type KindsOf<E extends ChatEventName> = { [K in ChannelKind]: E extends keyof EventsOf<K> ? K : never }[ChannelKind];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The channel kinds whose payload for `E` is exactly `P`: one trigger sends the same bytes to each channel it names. */
type KindsCarrying<E extends ChatEventName, P> = { [K in ChannelKind]: E extends keyof EventsOf<K> ? (Same<EventsOf<K>[E], P> extends true ? K : never) : never }[ChannelKind];
type PayloadOf<K extends ChannelKind, E extends ChatEventName> = EventsOf<K>[E & keyof EventsOf<K>];

/** One event on one or more channels, its payload the one `ChatChannels` gives every channel named. */
export type ChatBroadcast = {
  [E in ChatEventName]: { [K in KindsOf<E>]: { event: E; channels: ChannelName<KindsCarrying<E, PayloadOf<K, E>>>[]; data: PayloadOf<K, E> } }[KindsOf<E>];
}[ChatEventName];

/** Every server event of each channel kind, as docs/realtime.md lists them (test/docs.test.ts keeps the two equal). */
export const CHAT_EVENTS = {
  conversation: ['MessageSent', 'MessagesRead', 'ConversationUpdated'],
  agents: ['ConversationStarted', 'ConversationUpdated', 'MessageSent', 'MessagesRead', 'AgentStatusChanged', 'NoteAdded'],
  'agents-presence': [],
  status: ['AvailabilityChanged'],
} as const satisfies { [K in ChannelKind]: readonly (keyof EventsOf<K>)[] };

/** Fails to compile while an event in `ChatChannels` is missing from `CHAT_EVENTS`. */
export const CHAT_EVENTS_COMPLETE: { [K in ChannelKind]: [Exclude<keyof EventsOf<K>, (typeof CHAT_EVENTS)[K][number]>] extends [never] ? true : false } = {
  conversation: true,
  agents: true,
  'agents-presence': true,
  status: true,
};

/** How docs/realtime.md names each channel kind's channels. */
export const CHANNEL_DOC_NAMES = {
  conversation: 'private-conversation.{id}',
  agents: AGENTS_CHANNEL,
  'agents-presence': AGENTS_PRESENCE_CHANNEL,
  status: STATUS_CHANNEL,
} as const satisfies Record<ChannelKind, string>;

export const conversationChannel = (id: number): ConversationChannelName => `private-conversation.${id}`;

/** A channel the chat authorises: `chat-status` is public and never asked for. */
export type ChatChannel = { kind: 'conversation'; conversationId: number } | { kind: 'agents' } | { kind: 'agents-presence' };

const CONVERSATION = /^private-conversation\.([1-9]\d{0,15})$/;

/** Which chat channel a name is; undefined for anything the chat does not hand out. */
export function parseChatChannel(name: string): ChatChannel | undefined {
  if (name === AGENTS_CHANNEL) return { kind: 'agents' };
  if (name === AGENTS_PRESENCE_CHANNEL) return { kind: 'agents-presence' };
  const match = CONVERSATION.exec(name);
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) ? { kind: 'conversation', conversationId: id } : undefined;
}

/** The server-set sender (`user_id`) of client events on a conversation channel: `visitor`, or `agent:{id}`. */
export type ClientEventSender = 'visitor' | `agent:${number}`;
export const VISITOR_SENDER = 'visitor' satisfies ClientEventSender;
export const agentSender = (id: number): ClientEventSender => `agent:${id}`;
