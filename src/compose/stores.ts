import { AgentService } from '../agents/agent-service.js';
import type { AttachmentUrls } from '../chat/attachments/signed-urls.js';
import type { ChatRealtime } from '../chat/chat-realtime.js';
import { Views } from '../chat/views.js';
import type { Config } from '../config/config.js';
import type { Hasher } from '../security/hashing.js';
import { AgentStore } from '../storage/agent-store.js';
import { AttachmentStore } from '../storage/attachment-store.js';
import { ConversationStore } from '../storage/conversation-store.js';
import { LabelStore } from '../storage/label-store.js';
import { RatingStore } from '../storage/rating-store.js';
import type { Storage } from '../storage/database.js';
import { SettingsStore } from '../storage/settings-store.js';
import type { Clock } from '../time/clock.js';

/** The stores over one database, and the views that join them: what `parley start` and the CLI commands read and write through. */
export interface Stores {
  conversations: ConversationStore;
  agents: AgentStore;
  /** The chat settings row (docs/api.md, "Chat settings"). */
  settings: SettingsStore;
  views: Views;
  labels: LabelStore;
  ratings: RatingStore;
  /** Rows of messages' files (docs/api.md, "Attachments"); the bytes are in a `FileStore`. */
  attachments: AttachmentStore;
}

/** `urls` signs the download URLs of messages' files; without it (CLI commands) views show messages without files. */
export function storesOf(storage: Storage, urls?: AttachmentUrls): Stores {
  const conversations = new ConversationStore(storage.db);
  const agents = new AgentStore(storage.db);
  const labels = new LabelStore(storage.db);
  const ratings = new RatingStore(storage.db);
  const attachments = new AttachmentStore(storage.db);
  const views = new Views(conversations, agents, { labels, ratings }, urls ? { store: attachments, urls } : undefined);
  return { conversations, agents, settings: new SettingsStore(storage.db), views, labels, ratings, attachments };
}

/** Agent accounts and sessions as configured; `realtime` ends the connections of ended sessions (absent in CLI commands). */
export function agentServiceFor(
  config: Pick<Config, 'agents'>,
  deps: { agents: AgentStore; hasher: Hasher; clock: Clock; realtime?: ChatRealtime },
): AgentService {
  return new AgentService({
    ...deps,
    sessionLifetimeMs: config.agents.sessionLifetimeMs,
    sessionAbsoluteLifetimeMs: config.agents.sessionAbsoluteLifetimeMs,
  });
}
