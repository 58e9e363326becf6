import type { AgentStore } from '../storage/agent-store.js';
import type { ConversationStore } from '../storage/conversation-store.js';
import type { LabelStore } from '../storage/label-store.js';
import type { RatingStore } from '../storage/rating-store.js';
import type { ConversationRow, MessageRow } from '../storage/schema.js';
import { toAgentConversation, toMessageDto, toVisitorConversation, type AgentConversationDto, type MessageDto, type VisitorConversationDto } from './dto.js';

/** Turns rows into the DTOs clients see, loading agent names, previews and unread counts in batches. */
export class Views {
  constructor(
    private readonly conversations: ConversationStore,
    private readonly agents: AgentStore,
    /** Labels and ratings shown on each conversation (docs/api.md, "Labels", "Ratings"). */
    private readonly tags: { labels: Pick<LabelStore, 'ofConversations'>; ratings: Pick<RatingStore, 'ofConversations'> },
  ) {}

  async messages(rows: MessageRow[]): Promise<MessageDto[]> {
    const names = await this.agents.names(rows.flatMap((r) => (r.agent_id === null ? [] : [r.agent_id])));
    return rows.map((r) => toMessageDto(r, r.agent_id === null ? null : names.get(r.agent_id)));
  }

  async message(row: MessageRow): Promise<MessageDto> {
    const [dto] = await this.messages([row]);
    return dto as MessageDto;
  }

  async forVisitor(row: ConversationRow): Promise<VisitorConversationDto> {
    const names = await this.agents.names(row.assigned_agent_id === null ? [] : [row.assigned_agent_id]);
    return toVisitorConversation(row, agentRef(row, names));
  }

  async forAgents(rows: ConversationRow[]): Promise<AgentConversationDto[]> {
    const ids = rows.map((r) => r.id);
    const [last, unread, labels, ratings] = await Promise.all([
      this.conversations.lastMessages(ids),
      this.conversations.unreadByAgents(ids),
      this.tags.labels.ofConversations(ids),
      this.tags.ratings.ofConversations(ids),
    ]);
    const names = await this.agents.names([
      ...rows.flatMap((r) => (r.assigned_agent_id === null ? [] : [r.assigned_agent_id])),
      ...[...last.values()].flatMap((m) => (m.agent_id === null ? [] : [m.agent_id])),
    ]);
    return rows.map((r) => {
      const message = last.get(r.id);
      const rating = ratings.get(r.id);
      return toAgentConversation(r, agentRef(r, names), {
        unread_count: unread.get(r.id) ?? 0,
        last_message: message ? toMessageDto(message, message.agent_id === null ? null : names.get(message.agent_id)) : null,
        labels: labels.get(r.id) ?? [],
        rating: rating ? { score: rating.score, comment: rating.comment, created_at: new Date(rating.created_at).toISOString() } : null,
      });
    });
  }

  async forAgent(row: ConversationRow): Promise<AgentConversationDto> {
    const [dto] = await this.forAgents([row]);
    return dto as AgentConversationDto;
  }
}

function agentRef(row: ConversationRow, names: Map<number, string>): { id: number; name: string } | null {
  if (row.assigned_agent_id === null) return null;
  return { id: row.assigned_agent_id, name: names.get(row.assigned_agent_id) ?? 'Agent' };
}
