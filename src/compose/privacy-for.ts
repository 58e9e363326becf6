import type { Logger } from 'pino';
import type { ChatEvent } from '../chat/events.js';
import { PrivacyService } from '../chat/privacy.js';
import { reduceIps, RetentionSweep } from '../chat/retention-sweep.js';
import type { Config } from '../config/config.js';
import type { Hasher } from '../security/hashing.js';
import { ConversationLinkStore } from '../storage/conversation-link-store.js';
import type { Storage } from '../storage/database.js';
import { DatabaseFileStore } from '../storage/file-store-database.js';
import type { FileStore } from '../storage/file-store.js';
import { PrivacyStore } from '../storage/privacy-store.js';
import { RetentionStore } from '../storage/retention-store.js';
import type { Clock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';
import { FilePurge, fileStoreFor, purgeWithFiles, type PurgeOutcome } from './files-for.js';
import { storesOf, type Stores } from './stores.js';

/** Exports and erasures of one visitor's data (docs/privacy.md), for the API and the CLI. */
export function privacyFor(config: Pick<Config, 'attachments'>, deps: { storage: Storage; hasher: Hasher; clock: Clock; files?: FileStore }): PrivacyService {
  const { storage } = deps;
  const files = deps.files ?? fileStoreFor(config, storage);
  const blobs = new DatabaseFileStore(storage.db);
  const attachments = storesOf(storage).attachments;
  return new PrivacyService({
    store: new PrivacyStore(storage.db),
    files: { database: blobs, [files.disk]: files },
    deleteFiles: async (ids) => {
      const purge = new FilePurge(attachments, files, blobs);
      await purge.conversations(ids);
      return purge.counts.files;
    },
    hasher: deps.hasher,
    clock: deps.clock,
  });
}

/** What one retention run did (`parley purge` prints it). */
export interface RetentionReport extends PurgeOutcome {
  tickets: number;
  sessions: number;
  links: number;
  reducedIps: number;
  /** Finished webhook deliveries of conversations that no longer exist. */
  deliveries: number;
}

/**
 * `parley purge` and the daily in-process run (docs/privacy.md, "Retention"): conversations closed
 * past `CHAT_RETENTION_DAYS` with their files (files first), orphaned uploads, used or expired
 * tickets, sessions and email links, and IPs of conversations past the resume window reduced.
 */
export async function runRetention(config: Pick<Config, 'chat' | 'attachments'>, deps: { storage: Storage; files?: FileStore; now: number }): Promise<RetentionReport> {
  const { storage, now } = deps;
  const { conversations, agents, attachments } = storesOf(storage);
  const files = new FilePurge(attachments, deps.files ?? fileStoreFor(config, storage), new DatabaseFileStore(storage.db));
  const closedBefore = config.chat.retentionDays > 0 ? now - config.chat.retentionDays * 86_400_000 : undefined;
  const purged = await purgeWithFiles(conversations, files, closedBefore, now);
  const tickets = await conversations.purgeTickets(now);
  const sessions = await agents.purgeSessions(now);
  const links = await new ConversationLinkStore(storage.db).purge(now);
  const retention = new RetentionStore(storage.db);
  const reducedIps = await reduceIps(retention, now - config.chat.resumeWindowMs);
  const deliveries = await retention.purgeOrphanDeliveries();
  return { ...purged, tickets, sessions, links, reducedIps, deliveries };
}

/** The retention sweep of `parley start` (not started): auto-close, IP reduction, the daily run. */
export function retentionSweepFor(
  config: Pick<Config, 'chat' | 'attachments'>,
  deps: { storage: Storage; stores: Stores; files: FileStore; clock: Clock; timers: Timers; logger: Logger; publish: (event: ChatEvent) => Promise<void> },
): RetentionSweep {
  const logger = deps.logger.child({ component: 'retention' });
  return new RetentionSweep({
    store: new RetentionStore(deps.storage.db),
    clock: deps.clock,
    timers: deps.timers,
    logger,
    closed: async (row) => deps.publish({ name: 'ConversationUpdated', conversation: await deps.stores.views.forAgent(row) }),
    dailyRun: async () => {
      const report = await runRetention(config, { storage: deps.storage, files: deps.files, now: deps.clock.now() });
      logger.info(report, 'daily retention run');
    },
    options: { autoCloseMs: config.chat.autoCloseMs, resumeWindowMs: config.chat.resumeWindowMs },
  });
}
