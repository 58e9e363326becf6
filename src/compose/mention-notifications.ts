import type { ChatEvent } from '../chat/events.js';
import type { Config } from '../config/config.js';
import type { MailOutbox } from '../mail/mail-outbox.js';
import { mentionEmail } from '../mail/mention-email.js';
import type { AgentRow } from '../storage/schema.js';
import type { ChatEventListener } from './agent-notifications.js';
import type { Stores } from './stores.js';

export interface MentionNotifierDeps {
  /** Every agent account; deactivated ones are never mailed. */
  agents(): Promise<AgentRow[]>;
  outbox: Pick<MailOutbox, 'enqueue'>;
  appUrl: string;
}

/**
 * Emails each agent a new internal note mentions (docs/email.md, "What is sent when"), never its
 * author; the dedupe key `mention:{note}:{agent}` makes a republished event one email per agent.
 */
export class MentionNotifier implements ChatEventListener {
  constructor(private readonly deps: MentionNotifierDeps) {}

  async handle(event: ChatEvent): Promise<void> {
    if (event.name !== 'NoteAdded') return;
    const { note } = event;
    const mentioned = note.mentions.filter((id) => id !== note.agent_id);
    if (mentioned.length === 0) return;
    const agents = (await this.deps.agents()).filter((a) => a.deactivated_at === null && mentioned.includes(a.id));
    const draft = mentionEmail({
      conversationId: note.conversation_id,
      authorName: note.author_name,
      note: note.body,
      dashboardUrl: `${this.deps.appUrl}/stratus/conversations/${note.conversation_id}`,
    });
    for (const agent of agents) {
      await this.deps.outbox.enqueue({ to: agent.email, kind: 'mention', draft, dedupeKey: `mention:${note.id}:${agent.id}` });
    }
  }
}

export function mentionNotifierFor(config: Pick<Config, 'http'>, deps: { stores: Stores; outbox: Pick<MailOutbox, 'enqueue'> }): MentionNotifier {
  return new MentionNotifier({ agents: () => deps.stores.agents.list(), outbox: deps.outbox, appUrl: config.http.appUrl });
}
