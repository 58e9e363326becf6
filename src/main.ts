import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AgentService } from './agents/agent-service.js';
import type { Broadcaster } from './broadcasting/broadcaster.js';
import { EmbeddedBroadcaster } from './broadcasting/embedded-broadcaster.js';
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
import { AppRegistry, type RealtimeApp } from './realtime/apps.js';
import { configuredApps } from './realtime/default-apps.js';
import { realtimeRoutes } from './realtime/http-api/realtime-routes.js';
import { RealtimeServer } from './realtime/server/realtime-server.js';
import { attachWebSockets } from './realtime/transport/ws-transport.js';
import type { Bus } from './scaling/bus.js';
import { MemoryBus } from './scaling/memory-bus.js';
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
  const realtime = embeddedRealtime(config, logger);
  const broadcaster = overrides.broadcaster ?? createBroadcaster(config, logger, realtime);
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
      widgetConfig: async () =>
        widgetConfig(config, { realtime: realtimeReachable(config), agentsOnline: await agentStore.seenSince(clock.now() - ONLINE_WINDOW_MS) }),
    },
    agents: { agents, inbox },
    checks: { database: () => storage.ping() },
    plugins: realtime ? [realtimeRoutes(realtime)] : [],
  });
  const transport = realtime ? attachWebSockets(app.server, realtime.server, logger.child({ component: 'realtime' })) : undefined;
  realtime?.server.start();

  return {
    app,
    storage,
    chat,
    agents,
    close: async () => {
      await transport?.close();
      await app.close();
      await broadcaster.close();
      await storage.close();
    },
  };
}

/** The in-process Pusher server, for `BROADCAST_DRIVER=reverb` with `REVERB_SERVER=embedded`. */
export interface EmbeddedRealtime {
  server: RealtimeServer;
  bus: Bus;
  /** The `REVERB_APP_*` app the chat publishes to. */
  app: RealtimeApp;
}

function embeddedRealtime(config: Config, logger: Logger): EmbeddedRealtime | undefined {
  if (config.broadcast.driver !== 'reverb' || config.broadcast.reverb.server !== 'embedded') return undefined;
  const apps = new AppRegistry(configuredApps(config));
  const bus = new MemoryBus();
  const server = new RealtimeServer({ apps, bus, logger: logger.child({ component: 'realtime' }) });
  return { server, bus, app: apps.findById(config.broadcast.reverb.appId) as RealtimeApp };
}

/** Whether browsers have a WebSocket server to talk to for the configured driver. */
function realtimeReachable(config: Config): boolean {
  return config.broadcast.driver === 'reverb' || config.broadcast.driver === 'pusher';
}

function createBroadcaster(config: Config, logger: Logger, realtime: EmbeddedRealtime | undefined): Broadcaster {
  switch (config.broadcast.driver) {
    case 'log':
      return new LogBroadcaster(logger.child({ component: 'broadcast' }));
    case 'null':
      return new NullBroadcaster();
    case 'reverb':
      if (realtime) return new EmbeddedBroadcaster(realtime.server, realtime.app);
      // External Reverb/Parley and hosted Pusher publish over the Pusher HTTP API (next step).
      logger.warn({ driver: config.broadcast.driver }, 'external broadcasting is not available in this build; clients poll');
      return new NullBroadcaster();
    case 'pusher':
      logger.warn({ driver: config.broadcast.driver }, 'external broadcasting is not available in this build; clients poll');
      return new NullBroadcaster();
  }
}
