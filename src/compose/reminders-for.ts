import type { Logger } from 'pino';
import type { TranscriptService } from '../chat/transcript-service.js';
import type { Config } from '../config/config.js';
import type { MailOutbox } from '../mail/mail-outbox.js';
import { LINK_TTL_MS, ReminderSweep, sweepInterval } from '../mail/reminder-sweep.js';
import type { Hasher } from '../security/hashing.js';
import type { Storage } from '../storage/database.js';
import { ReminderStore } from '../storage/reminder-store.js';
import type { Clock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';
import type { ChatEventListener } from './agent-notifications.js';
import type { Stores } from './stores.js';

/** Conversations quiet for longer than this are not swept: a reply older than three days is not followed up. */
const HORIZON_MS = 3 * 86_400_000;

/** The follow-up and "unanswered" sweep (docs/email.md, "What is sent when"), not started. */
export function remindersFor(
  config: Pick<Config, 'chat' | 'http'>,
  deps: { storage: Storage; stores: Stores; outbox: Pick<MailOutbox, 'prepare' | 'wake'>; hasher: Hasher; clock: Clock; timers: Timers; logger: Logger },
): ReminderSweep {
  const { followUpDelayMs, unansweredDelayMs, allowedOrigins } = config.chat;
  return new ReminderSweep({
    reminders: new ReminderStore(deps.storage.db),
    conversations: deps.stores.conversations,
    agents: deps.stores.agents,
    attachments: deps.stores.attachments,
    outbox: deps.outbox,
    hasher: deps.hasher,
    clock: deps.clock,
    timers: deps.timers,
    logger: deps.logger.child({ component: 'reminders' }),
    sites: { allowedOrigins, appUrl: config.http.appUrl },
    options: { followUpDelayMs, unansweredDelayMs, linkTtlMs: LINK_TTL_MS, horizonMs: HORIZON_MS, batchSize: 100, sweepMs: sweepInterval(followUpDelayMs, unansweredDelayMs) },
  });
}

/**
 * Mails the visitor the transcript when a conversation closes and an admin turned
 * `transcript_on_close` on; the dedupe key makes each closing one email, whichever node sees it.
 */
export function closeTranscripts(deps: { stores: Stores; transcripts: Pick<TranscriptService, 'request'> }): ChatEventListener {
  return {
    handle: async (event) => {
      if (event.name !== 'ConversationUpdated' || event.conversation.status !== 'closed') return;
      if ((await deps.stores.settings.get()).transcript_on_close !== 1) return;
      const conversation = await deps.stores.conversations.get(event.conversation.id);
      if (conversation?.status !== 'closed' || conversation.closed_at === null || !conversation.visitor_email) return;
      await deps.transcripts.request({ conversation, visibleFromSeq: 1 }, { kind: 'closed', closedAt: conversation.closed_at });
    },
  };
}
