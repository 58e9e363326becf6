import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentService } from './agents/agent-service.js';
import { AttachmentService } from './chat/attachments/attachment-service.js';
import { AttachmentUrls } from './chat/attachments/signed-urls.js';
import type { Broadcaster } from './chat/broadcaster.js';
import type { ChatRealtime } from './chat/chat-realtime.js';
import { ChatService } from './chat/chat-service.js';
import { EmailLinks } from './chat/email-links.js';
import { InboxService } from './chat/inbox-service.js';
import { LabelService } from './chat/labels.js';
import { RatingService } from './chat/ratings.js';
import { CannedResponses } from './chat/canned-responses.js';
import { TranscriptService } from './chat/transcript-service.js';
import { agentNotifierFor, withEventListeners } from './compose/agent-notifications.js';
import { assignmentFor } from './compose/assignment-for.js';
import { mentionNotifierFor } from './compose/mention-notifications.js';
import { NoteService } from './chat/notes.js';
import { NoteStore } from './storage/note-store.js';
import { SearchService } from './chat/search.js';
import { SearchIndex } from './storage/search-index.js';
import { availabilityFor } from './compose/availability-for.js';
import { chatRealtimeFor } from './compose/chat-realtime-for.js';
import { FilePurge, fileStoreFor, purgeWithFiles, type PurgeOutcome } from './compose/files-for.js';
import { mailFor, type Mail } from './compose/mail-for.js';
import { webhooksFor, type Webhooks } from './compose/webhooks-for.js';
import type { WebhookTransport } from './chat/webhooks/webhook-transport.js';
import type { WebhookWorkerOptions } from './chat/webhooks/webhook-worker.js';
import { openRateLimitRedis, pingRedis } from './compose/rate-limit-redis.js';
import { embedsRealtime, realtimeNodeFor } from './compose/realtime-node-for.js';
import { closeTranscripts, remindersFor } from './compose/reminders-for.js';
import { privacyFor, retentionSweepFor } from './compose/privacy-for.js';
import type { PrivacyService } from './chat/privacy.js';
import type { RetentionSweep } from './chat/retention-sweep.js';
import { agentServiceFor, storesOf } from './compose/stores.js';
import { apiTokensFor } from './compose/api-tokens-for.js';
import type { Config } from './config/config.js';
import { startupWarnings } from './config/startup-warnings.js';
import { buildApp } from './http/app.js';
import { widgetConfig } from './http/widget-config.js';
import type { Mailer } from './mail/mailer.js';
import type { ReminderSweep } from './mail/reminder-sweep.js';
import { Metrics } from './ops/metrics.js';
import type { RealtimeNode } from './realtime/realtime-node.js';
import { createHasher } from './security/hashing.js';
import { ConversationLinkStore } from './storage/conversation-link-store.js';
import { CannedResponseStore } from './storage/canned-response-store.js';
import { migrate, openStorage, type Storage } from './storage/database.js';
import { DatabaseFileStore } from './storage/file-store-database.js';
import type { FileStore } from './storage/file-store.js';
import { systemClock, type Clock } from './time/clock.js';
import { systemTimers, type Timers } from './time/timers.js';

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
  /** Outgoing email: `mail.outbox.enqueue` queues one (docs/email.md); the worker sends it. */
  mail: Mail;
  /** Chat webhooks (docs/webhooks.md): the service and the worker that sends the queue. */
  webhooks: Webhooks;
  /** The follow-up and "unanswered" sweep (docs/email.md): `runOnce` sends what is due now. */
  reminders: Pick<ReminderSweep, 'runOnce'>;
  /** Where attachment bytes are kept (`CHAT_ATTACHMENT_DISK`). */
  files: FileStore;
  /** What `parley purge` does to conversations: those closed before `closedBefore` go with their files, then orphaned uploads. */
  purge(closedBefore: number): Promise<PurgeOutcome>;
  /** Export and erasure of one visitor's data (docs/privacy.md). */
  privacy: PrivacyService;
  /** Auto-close, IP reduction and the daily retention run (docs/privacy.md): `runOnce` sweeps now. */
  retention: Pick<RetentionSweep, 'runOnce'>;
  close(): Promise<void>;
}

export interface ParleyOverrides {
  clock?: Clock;
  /** Timers of background work (the business-hours announcements); tests move them by hand. */
  timers?: Timers;
  /** Where chat events go instead of the realtime service (tests record them). */
  broadcaster?: Broadcaster;
  storage?: Storage;
  /** Where emails go instead of the mailer `MAIL_MAILER` names. */
  mailer?: Mailer;
  /** Webhooks: how they are POSTed, this node's name in leases, the worker's timings (tests). */
  webhooks?: { transport?: WebhookTransport; nodeId?: string; options?: Partial<WebhookWorkerOptions> };
  /** Where attachment bytes go instead of the disk `CHAT_ATTACHMENT_DISK` names. */
  files?: FileStore;
}

/**
 * The composition root: builds every part from configuration, in order (clock, storage, stores,
 * realtime node and its bus, services, then the HTTP app from finished parts), and wires them.
 */
export async function createParley(config: Config, logger: Logger, overrides: ParleyOverrides = {}): Promise<Parley> {
  const clock = overrides.clock ?? systemClock;
  for (const warning of startupWarnings(config)) logger.warn({ setting: warning.setting }, warning.message);
  // An injected storage is the caller's and already migrated (tests migrate their schema under a lock of their own).
  const storage = overrides.storage ?? openStorage(config.database);
  if (!overrides.storage) await migrate(storage);
  const hasher = createHasher(config.appKey);
  const stores = storesOf(storage, new AttachmentUrls(hasher, clock));
  const files = overrides.files ?? fileStoreFor(config, storage);
  const mail = mailFor(config, { storage, hasher, clock, timers: overrides.timers ?? systemTimers, logger, ...(overrides.mailer ? { mailer: overrides.mailer } : {}) });
  const node = embedsRealtime(config) ? realtimeNodeFor(config, logger) : undefined;
  await node?.ready();
  const redis = config.redis ? openRateLimitRedis(config.redis.url, logger) : undefined;
  const realtime = chatRealtimeFor(config, { node, agentsSeenSince: (since) => stores.agents.seenSince(since), clock, logger });
  const broadcaster = overrides.broadcaster ?? realtime;
  const metrics = new Metrics({ openConversations: () => stores.conversations.countOpen() });
  const timers = overrides.timers ?? systemTimers;
  const transcripts = new TranscriptService({ conversations: stores.conversations, views: stores.views, mailer: mail.transcripts });
  // Automatic assignment (docs/dashboard.md): publishes through `chat`, built below, once an event comes.
  const { assignment, listener: assigner } = assignmentFor({ storage, stores, realtime, publish: () => (e) => chat.publish(e), timers, logger });
  const webhooks = webhooksFor(config, { storage, stores, outbox: mail.outbox, clock, timers, logger, ...overrides.webhooks });
  const listeners = [
    assigner,
    // `availability` is built below, with the chat; it is read only when an event comes.
    agentNotifierFor(config, { stores, realtime, availability: () => availability, outbox: mail.outbox }),
    closeTranscripts({ stores, transcripts }),
    mentionNotifierFor(config, { stores, outbox: mail.outbox }),
    webhooks.service,
  ];

  const chat = new ChatService({
    conversations: stores.conversations,
    views: stores.views,
    hasher,
    clock,
    broadcaster: withEventListeners(broadcaster, listeners, logger),
    logger,
    metrics,
    options: { resumeWindowMs: config.chat.resumeWindowMs, resumeByNetwork: config.chat.resumeByNetwork },
  });
  const { settings, availability, status } = availabilityFor(config, { stores, realtime, publish: (e) => chat.publish(e), clock, timers, logger });
  await availability.start();
  await assignment.prime();
  const reminders = remindersFor(config, { storage, stores, outbox: mail.outbox, hasher, clock, timers, logger });
  const agents = agentServiceFor(config, { agents: stores.agents, hasher, clock, realtime });
  const privacy = privacyFor(config, { storage, hasher, clock, files });
  const retention = retentionSweepFor(config, { storage, stores, files, clock, timers, logger, publish: (e) => chat.publish(e) });
  const notes = new NoteService({ notes: new NoteStore(storage.db), agents: () => stores.agents.list(), clock, publish: (e) => chat.publish(e) });
  const inbox = new InboxService({ conversations: stores.conversations, views: stores.views, chat, clock, agentExists: (id) => agents.isActive(id), notes });

  const labels = new LabelService({ labels: stores.labels, conversations: stores.conversations, views: stores.views, publish: (e) => chat.publish(e), clock });
  const ratings = new RatingService({ ratings: stores.ratings, views: stores.views, publish: (e) => chat.publish(e), clock });
  const attachments = new AttachmentService({
    chat,
    store: stores.attachments,
    files,
    urls: new AttachmentUrls(hasher, clock),
    logger,
    conversationMaxBytes: config.attachments.conversationMaxBytes,
  });

  const app = await buildApp({
    config,
    logger,
    metrics,
    chat: {
      chat,
      transcripts,
      ratings,
      links: new EmailLinks({ links: new ConversationLinkStore(storage.db), chat, hasher, clock }),
      widgetConfig: async () => {
        const chosen = await settings.get();
        return widgetConfig(config, { realtime: realtime.reachable, availability: await availability.current(chosen.business_hours), settings: chosen });
      },
    },
    agents: { agents, inbox, status, settings },
    broadcastingAuth: { chat, agents, signing: realtime.signing },
    labels,
    apiTokens: apiTokensFor({ storage, hasher, clock }),
    privacy,
    ratingReports: ratings,
    canned: new CannedResponses({ store: new CannedResponseStore(storage.db), clock }),
    checks: {
      database: () => storage.ping(),
      ...(redis ? { redis: () => pingRedis(redis, node?.checks.redis) } : {}),
    },
    ...(redis && config.redis ? { rateLimitRedis: { client: redis, nameSpace: `${config.redis.prefix}rate:` } } : {}),
    notes,
    search: new SearchService(SearchIndex.for(storage.db, storage.engine)),
    webhooks: webhooks.service,
    attachments,
    unsubscribe: mail.unsubscribe,
    plugins: node ? [node.routes] : [],
  });
  mail.worker.start();
  webhooks.worker.start();
  reminders.start();
  retention.start();
  node?.attach(app.server);

  return {
    app,
    storage,
    chat,
    agents,
    realtime,
    realtimeNode: node,
    mail,
    webhooks,
    reminders,
    files,
    privacy,
    retention,
    purge: (closedBefore) => purgeWithFiles(stores.conversations, new FilePurge(stores.attachments, files, new DatabaseFileStore(storage.db)), closedBefore, clock.now()),
    close: async () => {
      availability.stop();
      await assignment.stop();
      await reminders.stop();
      await retention.stop();
      await webhooks.worker.stop();
      await mail.close();
      await node?.close();
      await app.close();
      await broadcaster.close();
      if (broadcaster !== realtime) await realtime.close();
      redis?.disconnect();
      await storage.close();
    },
  };
}
