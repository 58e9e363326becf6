import type { Logger } from 'pino';
import { AgentStatusService } from '../agents/agent-status.js';
import { Availability } from '../chat/availability.js';
import type { ChatRealtime } from '../chat/chat-realtime.js';
import { ChatSettings } from '../chat/chat-settings.js';
import type { ChatEvent } from '../chat/events.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';
import type { Stores } from './stores.js';

/** Settings, availability and agents' status, wired so that each change is announced on `chat-status` (docs/api.md, "Availability"). */
export function availabilityFor(
  config: Pick<Config, 'chat'>,
  deps: { stores: Stores; realtime: ChatRealtime; publish(event: ChatEvent): Promise<void>; clock: Clock; timers: Timers; logger: Logger },
): { settings: ChatSettings; availability: Availability; status: AgentStatusService } {
  const { stores, clock } = deps;
  const settings = new ChatSettings({ store: stores.settings, clock, defaults: { greeting: config.chat.greeting, color: config.chat.color } });
  const availability = new Availability({
    connectedAgentIds: () => deps.realtime.connectedAgentIds(),
    onlineAmong: (ids) => stores.agents.onlineAmong(ids),
    hours: async () => (await settings.get()).business_hours,
    claimBoundary: (at) => stores.settings.claimBoundary(at),
    publish: deps.publish,
    clock,
    timers: deps.timers,
    logger: deps.logger.child({ component: 'availability' }),
  });
  settings.onChange(() => availability.settingsChanged());
  deps.realtime.onAvailabilityChange(() => availability.announce());
  const status = new AgentStatusService({ agents: stores.agents, publish: deps.publish, availabilityChanged: () => availability.announce() });
  return { settings, availability, status };
}
