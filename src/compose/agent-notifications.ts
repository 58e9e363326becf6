import type { Logger } from 'pino';
import type { Availability } from '../chat/availability.js';
import type { Broadcaster } from '../chat/broadcaster.js';
import type { ChatRealtime } from '../chat/chat-realtime.js';
import type { ChatEvent } from '../chat/events.js';
import type { Config } from '../config/config.js';
import type { MailOutbox } from '../mail/mail-outbox.js';
import { newConversationEmail, type NewConversationEmailData } from '../mail/new-conversation-email.js';
import type { AgentRow } from '../storage/schema.js';
import type { Stores } from './stores.js';

type Candidate = Pick<AgentRow, 'id' | 'email' | 'notify_email' | 'deactivated_at'>;
type NewConversation = Omit<NewConversationEmailData, 'dashboardUrl'>;

/**
 * Who hears of a new conversation (docs/email.md, "What is sent when"): the available agents, or
 * every active agent when none is, so that someone always knows; never a deactivated agent or
 * one who turned `notify_email` off.
 */
export function newConversationRecipients<A extends Candidate>(agents: A[], availableIds: number[]): A[] {
  const active = agents.filter((a) => a.deactivated_at === null);
  const available = active.filter((a) => availableIds.includes(a.id));
  return (available.length > 0 ? available : active).filter((a) => a.notify_email === 1);
}

/** The new conversation an event reveals: its first message, from the visitor. An agent writing first is no news to agents. */
function firstVisitorMessage(event: ChatEvent): { conversationId: number; body: string } | undefined {
  if (event.name !== 'MessageSent' || event.message.sender !== 'visitor' || event.message.seq !== 1) return undefined;
  return { conversationId: event.conversationId, body: event.message.body };
}

export interface AgentNotifierDeps {
  /** Every agent account; the decision skips deactivated ones. */
  agents(): Promise<AgentRow[]>;
  /** Agents who can answer now (online, connected, within business hours); empty when nobody can. */
  availableAgentIds(): Promise<number[]>;
  conversation(id: number): Promise<Omit<NewConversation, 'firstMessage'> | undefined>;
  outbox: Pick<MailOutbox, 'enqueue'>;
  appUrl: string;
}

/**
 * Emails agents about a new conversation. `ConversationStarted` is published before the start's
 * message is stored, so the signal is the visitor's first message (seq 1), which carries it; the
 * dedupe key makes a retried start or a republished event one email per agent.
 */
export class AgentNotifier {
  constructor(private readonly deps: AgentNotifierDeps) {}

  async handle(event: ChatEvent): Promise<void> {
    const first = firstVisitorMessage(event);
    if (first === undefined) return;
    const conversation = await this.deps.conversation(first.conversationId);
    if (conversation === undefined) return;
    const [agents, availableIds] = await Promise.all([this.deps.agents(), this.deps.availableAgentIds()]);
    const draft = newConversationEmail({ ...conversation, firstMessage: first.body, dashboardUrl: `${this.deps.appUrl}/stratus/conversations/${conversation.conversationId}` });
    for (const agent of newConversationRecipients(agents, availableIds)) {
      await this.deps.outbox.enqueue({ to: agent.email, kind: 'new-conversation', draft, dedupeKey: `new-conversation:${conversation.conversationId}:${agent.id}` });
    }
  }
}

/** Something that reacts to committed chat events (an email to send): never the chat's failure. */
export interface ChatEventListener {
  handle(event: ChatEvent): Promise<void>;
}

/** Passes every chat event on, then lets each listener see it in turn; a listener's failure is logged. */
export function withEventListeners(inner: Broadcaster, listeners: ChatEventListener[], logger: Logger): Broadcaster {
  return {
    publish: async (event) => {
      try {
        await inner.publish(event);
      } finally {
        for (const listener of listeners) {
          await listener.handle(event).catch((error: unknown) => logger.error({ err: error, event: event.name }, 'chat event listener failed'));
        }
      }
    },
    close: () => inner.close(),
  };
}

/** The notifier over the stores, the realtime roster and availability (read when an event comes, so it may be built later). */
export function agentNotifierFor(
  config: Pick<Config, 'http'>,
  deps: { stores: Stores; realtime: Pick<ChatRealtime, 'connectedAgentIds'>; availability: () => Pick<Availability, 'current'>; outbox: Pick<MailOutbox, 'enqueue'> },
): AgentNotifier {
  const { stores } = deps;
  return new AgentNotifier({
    agents: () => stores.agents.list(),
    availableAgentIds: async () => ((await deps.availability().current()).available ? stores.agents.onlineAmong(await deps.realtime.connectedAgentIds()) : []),
    conversation: async (id) => {
      const row = await stores.conversations.get(id);
      return row && { conversationId: row.id, visitorName: row.visitor_name, visitorEmail: row.visitor_email, pageUrl: row.page_url };
    },
    outbox: deps.outbox,
    appUrl: config.http.appUrl,
  });
}
