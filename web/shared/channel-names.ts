/**
 * The chat's channel names as the browser writes them, typed by the realtime contract
 * (docs/realtime.md, "Chat channels and events"): the contract is imported type-only, so a renamed
 * channel fails to compile here instead of going quiet.
 */
import type { AGENTS_CHANNEL, AGENTS_PRESENCE_CHANNEL, ConversationChannelName, STATUS_CHANNEL } from '../../src/chat/realtime-contract.js';

/** The public channel that carries `AvailabilityChanged`. */
export const STATUS_CHANNEL_NAME: typeof STATUS_CHANNEL = 'chat-status';
/** The agents' inbox channel. */
export const AGENTS_CHANNEL_NAME: typeof AGENTS_CHANNEL = 'private-agents';
/** The agents' presence roster. */
export const AGENTS_PRESENCE_CHANNEL_NAME: typeof AGENTS_PRESENCE_CHANNEL = 'presence-agents';

/** One conversation's private channel. */
export const conversationChannelName = (id: number): ConversationChannelName => `private-conversation.${id}`;
