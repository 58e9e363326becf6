import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AgentService } from './agents/agent-service.js';
import type { Broadcaster } from './broadcasting/broadcaster.js';
import { LogBroadcaster } from './broadcasting/log-broadcaster.js';
import { NullBroadcaster } from './broadcasting/null-broadcaster.js';
import { ChatService } from './chat/chat-service.js';
import { systemClock, type Clock } from './chat/clock.js';
import { InboxService } from './chat/inbox-service.js';
import { Views } from './chat/views.js';
import type { Config } from './config/config.js';
import { buildApp } from './http/app.js';
import { widgetConfig } from './http/widget-config.js';
import { Metrics } from './ops/metrics.js';
import { createHasher } from './security/hashing.js';
import { AgentStore } from './storage/agent-store.js';
import { ConversationStore } from './storage/conversation-store.js';
import { migrate, openStorage, type Storage } from './storage/database.js';

/** Agents seen within this long count as online until the realtime presence channel takes over. */
const ONLINE_WINDOW_MS = 5 * 60_000;

export interface Parley {
  app: FastifyInstance;
  storage: Storage;
  chat: ChatService;
  agents: AgentService;
  close(): Promise<void>;
}

export interface ParleyOverrides {
  clock?: Clock;
  broadcaster?: Broadcaster;
  storage?: Storage;
}

/** The composition root: builds every part from configuration and wires them together. */
export async function createParley(config: Config, logger: Logger, overrides: ParleyOverrides = {}): Promise<Parley> {
  const clock = overrides.clock ?? systemClock;
  const storage = overrides.storage ?? openStorage(config.database);
  await migrate(storage);
  const hasher = createHasher(config.appKey);
  const conversationStore = new ConversationStore(storage.db);
  const agentStore = new AgentStore(storage.db);
  const views = new Views(conversationStore, agentStore);
  const broadcaster = overrides.broadcaster ?? createBroadcaster(config, logger);
  const metrics = new Metrics({ openConversations: () => conversationStore.countOpen() });

  const chat = new ChatService({
    conversations: conversationStore,
    views,
    hasher,
    clock,
    broadcaster,
    logger,
    metrics,
    options: { resumeWindowMs: config.chat.resumeWindowMs, resumeByNetwork: config.chat.resumeByNetwork },
  });
  const agents = new AgentService({ agents: agentStore, hasher, clock, sessionLifetimeMs: config.agents.sessionLifetimeMs });
  const inbox = new InboxService({ conversations: conversationStore, views, chat, clock, agentExists: (id) => agents.isActive(id) });

  const app = await buildApp({
    config,
    logger,
    metrics,
    chat: {
      chat,
      widgetConfig: async () => widgetConfig(config, { realtime: false, agentsOnline: await agentStore.seenSince(clock.now() - ONLINE_WINDOW_MS) }),
    },
    agents: { agents, inbox },
    checks: { database: () => storage.ping() },
  });

  return {
    app,
    storage,
    chat,
    agents,
    close: async () => {
      await app.close();
      await broadcaster.close();
      await storage.close();
    },
  };
}

function createBroadcaster(config: Config, logger: Logger): Broadcaster {
  switch (config.broadcast.driver) {
    case 'log':
      return new LogBroadcaster(logger.child({ component: 'broadcast' }));
    case 'null':
      return new NullBroadcaster();
    case 'reverb':
    case 'pusher':
      // The realtime server and the Pusher HTTP driver are not built yet: clients poll meanwhile.
      logger.warn({ driver: config.broadcast.driver }, 'realtime delivery is not available in this build; widgets and dashboards poll');
      return new NullBroadcaster();
  }
}
