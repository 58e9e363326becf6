import type { Logger } from 'pino';
import { toBroadcasts } from '../chat/broadcaster.js';
import type { ChannelSigning, ChatRealtime } from '../chat/chat-realtime.js';
import type { ChatEvent } from '../chat/events.js';
import { AGENTS_PRESENCE_CHANNEL } from '../chat/realtime-contract.js';
import type { RealtimeNode } from '../realtime/realtime-node.js';
import type { ChannelEvent } from '../realtime/server/channel-manager.js';

/** What the chat uses of the embedded node. */
export type EmbeddedNode = Pick<RealtimeNode, 'app' | 'trigger' | 'userCount' | 'userIds' | 'onChannelEvent' | 'authorised' | 'terminateAuthorisedBy'>;

/** Whether a channel event changes who is online: an agent's first join or last leave of the roster. */
export function changesAvailability(event: ChannelEvent): boolean {
  return (event.name === 'member_added' || event.name === 'member_removed') && event.channel === AGENTS_PRESENCE_CHANNEL;
}

/**
 * `BROADCAST_DRIVER=reverb` with the embedded node: publishes in-process (no HTTP hop), counts
 * agents online from the `presence-agents` roster, and closes an agent's connections itself.
 */
export class EmbeddedRealtime implements ChatRealtime {
  readonly reachable = true;
  /** The `REVERB_APP_*` app signs, with the sender's `channel_data`: Parley's server stamps it on client events. */
  readonly signing: ChannelSigning;

  constructor(
    private readonly node: EmbeddedNode,
    private readonly logger: Logger,
  ) {
    this.signing = { key: node.app.key, secret: node.app.secret, signsSender: true };
  }

  async publish(event: ChatEvent): Promise<void> {
    for (const b of toBroadcasts(event)) await this.node.trigger(b.channels, b.event, JSON.stringify(b.data));
  }

  /** Users in the `presence-agents` roster, cluster-wide, each counted once. */
  agentsOnline(): Promise<number> {
    return this.node.userCount(AGENTS_PRESENCE_CHANNEL);
  }

  /** Roster members whose `user_id` is an agent id (the roster holds agents only). */
  async connectedAgentIds(): Promise<number[]> {
    return (await this.node.userIds(AGENTS_PRESENCE_CHANNEL)).map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  }

  onAvailabilityChange(listener: (agentsOnline: number) => Promise<void>): void {
    let queue = Promise.resolve();
    this.node.onChannelEvent((event) => {
      if (!changesAvailability(event)) return;
      queue = queue
        .then(async () => listener(await this.agentsOnline()))
        .catch((error: unknown) => this.logger.error({ err: error }, 'counting agents online failed'));
    });
  }

  connectionAuthorised(socketId: string, agentId: number, session: string): Promise<void> {
    return this.node.authorised(socketId, String(agentId), session);
  }

  endAgentConnections(agentId: number, keptSession?: string): void {
    // Without this, a deactivated agent's open dashboard (or any socket that agent authorised) would keep receiving visitors' messages.
    this.node.terminateAuthorisedBy(String(agentId), keptSession).catch((error: unknown) => this.logger.error({ err: error }, "ending an agent's connections failed"));
  }

  /** The node's lifetime is the composition root's: it closes after the HTTP app. */
  async close(): Promise<void> {}
}
