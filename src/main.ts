import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AgentService } from './agents/agent-service.js';
import { agentsOnline, watchAvailability } from './broadcasting/availability-watch.js';
import type { Broadcaster } from './chat/broadcaster.js';
import { EmbeddedBroadcaster } from './broadcasting/embedded-broadcaster.js';
import { LogBroadcaster } from './broadcasting/log-broadcaster.js';
import { NullBroadcaster } from './broadcasting/null-broadcaster.js';
import { PusherBroadcaster, pusherEndpoint } from './broadcasting/pusher-broadcaster.js';
import { ChatService } from './chat/chat-service.js';
import { systemClock, type Clock } from './time/clock.js';
import { InboxService } from './chat/inbox-service.js';
import { Views } from './chat/views.js';
import type { Config } from './config/config.js';
import { startupWarnings } from './config/startup-warnings.js';
import { buildApp } from './http/app.js';
import { signingApp } from './http/routes/broadcasting-auth-routes.js';
import { widgetConfig } from './http/widget-config.js';
import { Metrics } from './ops/metrics.js';
import { createRealtimeNode, type RealtimeNode } from './realtime/realtime-node.js';
import { createHasher } from './security/hashing.js';
import { AgentStore } from './storage/agent-store.js';
import { ConversationStore } from './storage/conversation-store.js';
import { migrate, openStorage, type Storage } from './storage/database.js';

/** Without an embedded realtime server (no presence roster), agents seen within this long count as online. */
const ONLINE_WINDOW_MS = 5 * 60_000;

export interface Parley {
  app: FastifyInstance;
  storage: Storage;
  chat: ChatService;
  agents: AgentService;
  /** The embedded Pusher-protocol server, when `BROADCAST_DRIVER=reverb` runs it in-process. */
  realtime: RealtimeNode | undefined;
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
  for (const warning of startupWarnings(config)) logger.warn({ setting: warning.setting }, warning.message);
  const storage = overrides.storage ?? openStorage(config.database);
  await migrate(storage);
  const hasher = createHasher(config.appKey);
  const conversationStore = new ConversationStore(storage.db);
  const agentStore = new AgentStore(storage.db);
  const views = new Views(conversationStore, agentStore);
  const realtime = embeddedRealtime(config, logger);
  await realtime?.ready();
  const redis = config.redis ? openRedis(config.redis.url, logger) : undefined;
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
  if (realtime) watchAvailability(realtime, (event) => chat.publish(event), logger.child({ component: 'availability' }));
  const agents = new AgentService({
    agents: agentStore,
    hasher,
    clock,
    sessionLifetimeMs: config.agents.sessionLifetimeMs,
    sessionAbsoluteLifetimeMs: config.agents.sessionAbsoluteLifetimeMs,
    // Without this, a deactivated agent's open dashboard (or any socket that agent authorised) would keep receiving visitors' messages.
    sessionsEnded: (id, keptSession) =>
      void realtime?.server.terminateAuthorisedBy(realtime.app, String(id), keptSession).catch((error: unknown) => logger.error({ err: error }, 'ending an agent\'s connections failed')),
    connectionAuthorised: async (socketId, id, session) => realtime?.server.authorised(realtime.app, socketId, String(id), session),
  });
  const inbox = new InboxService({ conversations: conversationStore, views, chat, clock, agentExists: (id) => agents.isActive(id) });

  const app = await buildApp({
    config,
    logger,
    metrics,
    chat: {
      chat,
      widgetConfig: async () =>
        widgetConfig(config, {
          realtime: realtimeReachable(config),
          agentsOnline: realtime ? await agentsOnline(realtime) : await agentStore.seenSince(clock.now() - ONLINE_WINDOW_MS),
        }),
    },
    agents: { agents, inbox },
    broadcastingAuth: { chat, agents, signing: signingApp(config) },
    checks: {
      database: () => storage.ping(),
      ...(redis ? { redis: () => pingRedis(redis, realtime?.checks.redis) } : {}),
    },
    ...(redis && config.redis ? { rateLimitRedis: { client: redis, nameSpace: `${config.redis.prefix}rate:` } } : {}),
    plugins: realtime ? [realtime.routes] : [],
  });
  realtime?.attach(app.server);

  return {
    app,
    storage,
    chat,
    agents,
    realtime,
    close: async () => {
      await realtime?.close();
      await app.close();
      await broadcaster.close();
      redis?.disconnect();
      await storage.close();
    },
  };
}

/** The realtime node (apps, bus, webhooks, HTTP API, WebSockets), shared with `parley realtime:start`. */
function embeddedRealtime(config: Config, logger: Logger): RealtimeNode | undefined {
  if (config.broadcast.driver !== 'reverb' || config.broadcast.reverb.server !== 'embedded') return undefined;
  return createRealtimeNode(config, logger);
}

/** The connection for shared rate limits and the health check; fails fast (no queue, 1 s per command) while Redis is away. */
function openRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { connectTimeout: 1_000, commandTimeout: 1_000, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (attempt) => Math.min(attempt * 200, 2_000) });
  let failing = false;
  redis.on('error', (error: unknown) => {
    if (!failing) logger.error({ err: error, component: 'rate-limits' }, 'Redis unreachable: rate limits are not enforced until it is back');
    failing = true;
  });
  redis.on('ready', () => {
    if (failing) logger.warn({ component: 'rate-limits' }, 'Redis is back: rate limits are shared again');
    failing = false;
  });
  return redis;
}

/** `GET /up`'s Redis check: Redis answers, and the realtime bus (when embedded) holds this node's state. */
async function pingRedis(redis: Redis, busCheck: (() => Promise<void>) | undefined): Promise<void> {
  await redis.ping();
  await busCheck?.();
}

/** Whether browsers have a WebSocket server to talk to for the configured driver. */
function realtimeReachable(config: Config): boolean {
  return config.broadcast.driver === 'reverb' || config.broadcast.driver === 'pusher';
}

function createBroadcaster(config: Config, logger: Logger, realtime: RealtimeNode | undefined): Broadcaster {
  switch (config.broadcast.driver) {
    case 'log':
      return new LogBroadcaster(logger.child({ component: 'broadcast' }));
    case 'null':
      return new NullBroadcaster();
    case 'reverb':
    case 'pusher': {
      if (realtime) return new EmbeddedBroadcaster(realtime.server, realtime.app);
      // External Reverb/Parley and hosted Pusher: the Pusher HTTP API (credentials are checked by loadConfig).
      const endpoint = pusherEndpoint(config);
      if (!endpoint) throw new Error(`No Pusher HTTP endpoint for BROADCAST_DRIVER=${config.broadcast.driver}`);
      return new PusherBroadcaster(endpoint);
    }
  }
}
