/**
 * What the session needs of the realtime link, without pusher-js: `realtime.ts` implements it,
 * tests fake it. Typed by the chat's realtime contract (docs/realtime.md, "Chat channels and events").
 */
import type { TypingWhisper } from '../../../src/chat/realtime-contract.js';
import type { EventHandlers, LinkState as PusherState } from '../../shared/channel-events.js';
import type { ChatConfig } from '../types.js';
import type { PresenceMember } from './agent-roster.js';

/** pusher-js's connection states, or `polling` when there is no realtime server at all. */
export type LinkState = PusherState | 'polling';

/** One handler per server event of `private-agents`: a new event in the contract fails to compile until the session handles it. */
export type AgentsHandlers = EventHandlers<'agents'>;

/** A typing whisper with its sender settled (docs/realtime.md, "Who sent a client event"). */
export type TypingSeen = TypingWhisper & { from: 'visitor' | 'agent' };

export interface LinkHandlers {
  agents: AgentsHandlers;
  state(state: LinkState): void;
  presence(members: PresenceMember[]): void;
  /** `private-agents` is (re)subscribed: what was broadcast before that was not heard here. */
  subscribed(): void;
  /** A whisper on the watched conversation's channel. */
  typing(data: TypingSeen): void;
}

/** The dashboard's one WebSocket: `private-agents`, `presence-agents` and the open conversation. */
export interface AgentLink {
  watch(conversationId: number | null): void;
  whisperTyping(data: TypingWhisper): void;
  disconnect(): void;
}

/** Opens the link the config names. */
export type ConnectLink = (config: ChatConfig, handlers: LinkHandlers) => AgentLink;
