import type { Logger } from 'pino';
import { AssignmentService } from '../chat/assignment.js';
import type { ChatRealtime } from '../chat/chat-realtime.js';
import type { ChatEvent } from '../chat/events.js';
import { AssignmentStore } from '../storage/assignment-store.js';
import type { Storage } from '../storage/database.js';
import type { ChatEventListener } from './agent-notifications.js';
import type { Timers } from '../time/timers.js';
import type { Stores } from './stores.js';

/**
 * Automatic assignment over the database, the realtime roster and the chat's events
 * (docs/dashboard.md, "Automatic assignment"). `publish` is read when an assignment is made, so
 * the chat it publishes through may be built later; the service is also the listener of its events.
 */
export function assignmentFor(deps: {
  storage: Pick<Storage, 'db' | 'engine'>;
  stores: Pick<Stores, 'conversations' | 'views'>;
  realtime: Pick<ChatRealtime, 'connectedAgentIds'>;
  publish: () => (event: ChatEvent) => Promise<void>;
  timers: Timers;
  logger: Logger;
}): { assignment: AssignmentService; listener: ChatEventListener } {
  const { stores } = deps;
  const assignment = new AssignmentService({
    store: new AssignmentStore(deps.storage),
    connectedAgentIds: () => deps.realtime.connectedAgentIds(),
    announce: async (id) => {
      const row = await stores.conversations.get(id);
      if (row) await deps.publish()({ name: 'ConversationUpdated', conversation: await stores.views.forAgent(row), change: 'assigned' });
    },
    logger: deps.logger.child({ component: 'assignment' }),
    timers: deps.timers,
  });
  return { assignment, listener: assignment };
}
