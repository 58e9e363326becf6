import type { AgentMemberInfo, TypingWhisper } from '../../src/chat/realtime-contract.js';
import type { AgentStatus } from './types.js';
import { AGENTS_CHANNEL_NAME, AGENTS_PRESENCE_CHANNEL_NAME, conversationChannelName } from '../shared/channel-names.js';
import { bindEvents, type LinkState as PusherState } from '../shared/channel-events.js';
import { connectPusher } from '../shared/pusher-connection.js';
import { bindTyping } from '../shared/typing-sender.js';
import type { AgentLink, ConnectLink, LinkHandlers } from './session/agent-link.js';
import type { PresenceMember } from './session/agent-roster.js';

/** No WebSocket server (broadcaster null): the dashboard polls. */
export function pollingLink(handlers: Pick<LinkHandlers, 'state'>): AgentLink {
  handlers.state('polling');
  return { watch: () => undefined, whisperTyping: () => undefined, disconnect: () => undefined };
}

interface Roster {
  members: { each(callback: (member: { id: string; info?: Partial<AgentMemberInfo> & { status?: AgentStatus } }) => void): void };
}

/** The link over pusher-js, authorised by the agent's cookie at `/broadcasting/auth`. */
export const connectAgentLink: ConnectLink = (config, handlers) => {
  if (!config.broadcaster || !config.key) return pollingLink(handlers);
  const pusher = connectPusher(config, { endpoint: '/broadcasting/auth' });
  pusher.connection.bind('state_change', (change: { current: PusherState }) => handlers.state(change.current));
  handlers.state(pusher.connection.state as PusherState);

  const agents = pusher.subscribe(AGENTS_CHANNEL_NAME);
  bindEvents(agents, 'agents', handlers.agents);
  agents.bind('pusher:subscription_succeeded', () => handlers.subscribed());

  const presence = pusher.subscribe(AGENTS_PRESENCE_CHANNEL_NAME);
  const members = () => {
    const list: PresenceMember[] = [];
    (presence as unknown as Roster).members.each((m) => list.push({ id: Number(m.id), name: m.info?.name ?? `Agent ${m.id}`, ...(m.info?.status ? { status: m.info.status } : {}) }));
    handlers.presence(list);
  };
  for (const event of ['pusher:subscription_succeeded', 'pusher:member_added', 'pusher:member_removed']) presence.bind(event, members);

  let current: string | undefined;
  bindTyping<TypingWhisper>(pusher.connection, () => current, (data) => handlers.typing(data));
  return {
    watch(conversationId) {
      if (current) pusher.unsubscribe(current);
      current = conversationId === null ? undefined : conversationChannelName(conversationId);
      if (current) pusher.subscribe(current);
    },
    whisperTyping(data) {
      const channel = current ? pusher.channel(current) : undefined;
      if (channel?.subscribed) channel.trigger('client-typing', data);
    },
    disconnect: () => pusher.disconnect(),
  };
};
