import { agentSender, VISITOR_SENDER, type AgentMemberInfo, type ChatChannel } from './realtime-contract.js';

/** An agent as the presence roster shows it. */
export interface AgentIdentity extends AgentMemberInfo {
  id: number;
}

/** Who asks: a logged-in agent, and/or a visitor whose token opens `visitorConversationId`. */
export interface Requester {
  agent: AgentIdentity | undefined;
  visitorConversationId: number | undefined;
}

export type ChannelGrant = { ok: true; channelData?: string } | { ok: false; reason: string };

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
