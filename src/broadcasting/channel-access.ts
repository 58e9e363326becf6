import { AGENTS_CHANNEL, AGENTS_PRESENCE_CHANNEL } from './broadcaster.js';

/** The chat's channels that need authorisation (DESIGN.md section 6); `chat-status` is public. */
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

/** An agent as the presence roster shows it. */
export interface AgentIdentity {
  id: number;
  name: string;
  role: 'admin' | 'agent';
}

/** Who asks: a logged-in agent, and/or a visitor whose token opens `visitorConversationId`. */
export interface Requester {
  agent: AgentIdentity | undefined;
  visitorConversationId: number | undefined;
}

export type ChannelGrant = { ok: true; channelData?: string } | { ok: false; reason: string };

/** The server-set sender of client events on a conversation channel: `visitor`, or `agent:{id}`. */
export const VISITOR_SENDER = 'visitor';
export const agentSender = (id: number): string => `agent:${id}`;

/**
 * Decides a subscription: agents get every chat channel (the presence one with their
 * `channel_data`); a visitor gets only the channel of the conversation their token opens.
 * With `signSender` (Parley's own realtime server), a conversation channel is signed with
 * `channel_data` `{"user_id":"visitor"|"agent:{id}"}`, which the server stamps on the client
 * events that connection relays (docs/realtime.md, "Who sent a client event"); hosted Pusher
 * expects private channels without it.
 */
export function grantChannel(channel: ChatChannel | undefined, who: Requester, options: { signSender?: boolean } = {}): ChannelGrant {
  if (channel === undefined) return { ok: false, reason: 'This channel is not one Parley authorises.' };
  const sender = (userId: string): ChannelGrant =>
    options.signSender && channel.kind === 'conversation' ? { ok: true, channelData: JSON.stringify({ user_id: userId }) } : { ok: true };
  if (who.agent) {
    if (channel.kind !== 'agents-presence') return sender(agentSender(who.agent.id));
    const { id, name, role } = who.agent;
    return { ok: true, channelData: JSON.stringify({ user_id: String(id), user_info: { name, role } }) };
  }
  if (channel.kind === 'conversation' && who.visitorConversationId === channel.conversationId) return sender(VISITOR_SENDER);
  return { ok: false, reason: 'You may not subscribe to this channel: log in as an agent, or send the visitor token of this conversation.' };
}

/** `user_data` for `pusher:signin`: agents only, identified by id and name. */
export function agentUserData(agent: AgentIdentity): string {
  return JSON.stringify({ id: String(agent.id), user_info: { name: agent.name } });
}
