import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentService } from './agents/agent-service.js';
import type { Broadcaster } from './chat/broadcaster.js';
import type { ChatRealtime } from './chat/chat-realtime.js';
import { ChatService } from './chat/chat-service.js';
import { InboxService } from './chat/inbox-service.js';
import { chatRealtimeFor } from './compose/chat-realtime-for.js';
import { openRateLimitRedis, pingRedis } from './compose/rate-limit-redis.js';
import { embedsRealtime, realtimeNodeFor } from './compose/realtime-node-for.js';
import { agentServiceFor, storesOf } from './compose/stores.js';
import type { Config } from './config/config.js';
import { startupWarnings } from './config/startup-warnings.js';
import { buildApp } from './http/app.js';
import { widgetConfig } from './http/widget-config.js';
import { Metrics } from './ops/metrics.js';
import type { RealtimeNode } from './realtime/realtime-node.js';
import { createHasher } from './security/hashing.js';
import { migrate, openStorage, type Storage } from './storage/database.js';
import { systemClock, type Clock } from './time/clock.js';

/** The embedded node as probes and tests see it: its app, its connections, publishing on any channel, a restart. */
export type RealtimeNodeProbe = Pick<RealtimeNode, 'app' | 'connectionCount' | 'trigger' | 'restart'>;

export interface Parley {
  app: FastifyInstance;
  storage: Storage;
  chat: ChatService;
  agents: AgentService;
  /** What the chat uses of the realtime service: the embedded node, or a server behind the Pusher HTTP API. */
  realtime: ChatRealtime;
  /** The embedded Pusher-protocol server, when `BROADCAST_DRIVER=reverb` runs it in-process. */
  realtimeNode: RealtimeNodeProbe | undefined;
  close(): Promise<void>;
}

export interface ParleyOverrides {
  clock?: Clock;
  /** Where chat events go instead of the realtime service (tests record them). */
  broadcaster?: Broadcaster;
  storage?: Storage;
}

/**
 * The composition root: builds every part from configuration, in order (clock, storage, stores,
 * realtime node and its bus, services, then the HTTP app from finished parts), and wires them.
 */
export async function createParley(config: Config, logger: Logger, overrides: ParleyOverrides = {}): Promise<Parley> {
  const clock = overrides.clock ?? systemClock;
  for (const warning of startupWarnings(config)) logger.warn({ setting: warning.setting }, warning.message);
  const storage = overrides.storage ?? openStorage(config.database);
  await migrate(storage);
  const stores = storesOf(storage);
  const hasher = createHasher(config.appKey);
  const node = embedsRealtime(config) ? realtimeNodeFor(config, logger) : undefined;
  await node?.ready();
  const redis = config.redis ? openRateLimitRedis(config.redis.url, logger) : undefined;
  const realtime = chatRealtimeFor(config, { node, agentsSeenSince: (since) => stores.agents.seenSince(since), clock, logger });
  const broadcaster = overrides.broadcaster ?? realtime;
  const metrics = new Metrics({ openConversations: () => stores.conversations.countOpen() });

  const chat = new ChatService({
    conversations: stores.conversations,
    views: stores.views,
    hasher,
    clock,
    broadcaster,
    logger,
    metrics,
    options: { resumeWindowMs: config.chat.resumeWindowMs, resumeByNetwork: config.chat.resumeByNetwork },
  });
  realtime.onAvailabilityChange((agentsOnline) => chat.publish({ name: 'AvailabilityChanged', agentsOnline }));
  const agents = agentServiceFor(config, { agents: stores.agents, hasher, clock, realtime });
  const inbox = new InboxService({ conversations: stores.conversations, views: stores.views, chat, clock, agentExists: (id) => agents.isActive(id) });

  const app = await buildApp({
    config,
    logger,
    metrics,
    chat: {
      chat,
      widgetConfig: async () => widgetConfig(config, { realtime: realtime.reachable, agentsOnline: await realtime.agentsOnline() }),
    },
    agents: { agents, inbox },
    broadcastingAuth: { chat, agents, signing: realtime.signing },
    checks: {
      database: () => storage.ping(),
      ...(redis ? { redis: () => pingRedis(redis, node?.checks.redis) } : {}),
    },
    ...(redis && config.redis ? { rateLimitRedis: { client: redis, nameSpace: `${config.redis.prefix}rate:` } } : {}),
    plugins: node ? [node.routes] : [],
  });
  node?.attach(app.server);

  return {
    app,
    storage,
    chat,
    agents,
    realtime,
    realtimeNode: node,
    close: async () => {
      await node?.close();
      await app.close();
      await broadcaster.close();
      if (broadcaster !== realtime) await realtime.close();
      redis?.disconnect();
      await storage.close();
    },
  };
}
