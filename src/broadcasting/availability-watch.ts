import type { Logger } from 'pino';
import type { ChatEvent } from '../chat/events.js';
import type { RealtimeApp } from '../realtime/apps.js';
import type { ChannelEvent } from '../realtime/server/channel-manager.js';
import type { RealtimeServer } from '../realtime/server/realtime-server.js';
import type { Bus } from '../scaling/bus.js';
import { AGENTS_PRESENCE_CHANNEL } from '../chat/realtime-contract.js';

/** The embedded realtime server, as the chat sees it. */
export interface PresenceSource {
  server: RealtimeServer;
  bus: Bus;
  app: RealtimeApp;
}

/** Agents online: users in the `presence-agents` roster, cluster-wide, each counted once. */
export async function agentsOnline(source: Pick<PresenceSource, 'bus' | 'app'>): Promise<number> {
  return (await source.bus.members(source.app.id, AGENTS_PRESENCE_CHANNEL)).length;
}

/** Whether a channel event changes who is online: an agent's first join or last leave of the roster. */
export function changesAvailability(appId: string, event: ChannelEvent, app: RealtimeApp): boolean {
  return appId === app.id && (event.name === 'member_added' || event.name === 'member_removed') && event.channel === AGENTS_PRESENCE_CHANNEL;
}

/**
 * Publishes `AvailabilityChanged {agents_online}` on `chat-status` whenever an agent comes online
 * or goes offline. Counts are taken and published one after another, so the last one wins.
 */
export function watchAvailability(source: PresenceSource, publish: (event: ChatEvent) => Promise<void>, logger: Logger): void {
  let queue = Promise.resolve();
  source.server.listen((appId, event) => {
    if (!changesAvailability(appId, event, source.app)) return;
    queue = queue
      .then(async () => publish({ name: 'AvailabilityChanged', agentsOnline: await agentsOnline(source) }))
      .catch((error: unknown) => logger.error({ err: error }, 'counting agents online failed'));
  });
}
