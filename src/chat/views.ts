import type { AgentStore } from '../storage/agent-store.js';
import type { AttachmentStore } from '../storage/attachment-store.js';
import type { ConversationStore } from '../storage/conversation-store.js';
import type { LabelStore } from '../storage/label-store.js';
import type { RatingStore } from '../storage/rating-store.js';
import type { AttachmentRow, ConversationRow, MessageRow } from '../storage/schema.js';
import { isRasterImage } from './attachments/file-policy.js';
import type { AttachmentUrls } from './attachments/signed-urls.js';
import {
  toAgentConversation,
  toMessageDto,
  toVisitorConversation,
  type AgentConversationDto,
  type AttachmentDto,
  type MessageDto,
  type VisitorConversationDto,
} from './dto.js';

/** Where messages' files are listed and how their download URLs are signed (docs/api.md, "Attachments"). */
export interface AttachmentViews {
  store: Pick<AttachmentStore, 'ofMessages'>;
  urls: Pick<AttachmentUrls, 'url'>;
}

/** Turns rows into the DTOs clients see, loading agent names, previews and unread counts in batches. */
export class Views {
  constructor(
    private readonly conversations: ConversationStore,
    private readonly agents: AgentStore,
    /** Labels and ratings shown on each conversation (docs/api.md, "Labels", "Ratings"). */
    private readonly tags: { labels: Pick<LabelStore, 'ofConversations'>; ratings: Pick<RatingStore, 'ofConversations'> },
    /** Absent where nothing serves files (CLI commands): messages are then shown without them. */
    private readonly files?: AttachmentViews,
  ) {}

  async messages(rows: MessageRow[]): Promise<MessageDto[]> {
    const [names, files] = await Promise.all([this.agents.names(rows.flatMap((r) => (r.agent_id === null ? [] : [r.agent_id]))), this.attachments(rows)]);
    return rows.map((r) => withFiles(toMessageDto(r, r.agent_id === null ? null : names.get(r.agent_id)), files.get(r.id)));
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
    const [names, files] = await Promise.all([
      this.agents.names([
        ...rows.flatMap((r) => (r.assigned_agent_id === null ? [] : [r.assigned_agent_id])),
        ...[...last.values()].flatMap((m) => (m.agent_id === null ? [] : [m.agent_id])),
      ]),
      this.attachments([...last.values()]),
    ]);
    return rows.map((r) => {
      const message = last.get(r.id);
      const rating = ratings.get(r.id);
      return toAgentConversation(r, agentRef(r, names), {
        unread_count: unread.get(r.id) ?? 0,
        last_message: message ? withFiles(toMessageDto(message, message.agent_id === null ? null : names.get(message.agent_id)), files.get(message.id)) : null,
        labels: labels.get(r.id) ?? [],
        rating: rating ? { score: rating.score, comment: rating.comment, created_at: new Date(rating.created_at).toISOString() } : null,
      });
    });
  }

  async forAgent(row: ConversationRow): Promise<AgentConversationDto> {
    const [dto] = await this.forAgents([row]);
    return dto as AgentConversationDto;
  }

  /** The files of the messages that have some (`attachment_count` > 0), as clients see them, by message id. */
  private async attachments(rows: MessageRow[]): Promise<Map<number, AttachmentDto[]>> {
    const ids = rows.filter((r) => r.attachment_count > 0).map((r) => r.id);
    const files = this.files;
    if (ids.length === 0 || !files) return new Map();
    const found = await files.store.ofMessages(ids);
    return new Map([...found].map(([id, list]) => [id, list.map((a) => toAttachmentDto(a, files.urls.url(a.id, a.name)))]));
  }
}

function toAttachmentDto(row: AttachmentRow, url: string): AttachmentDto {
  return { id: row.id, name: row.name, size: row.size, type: row.type, url, image: isRasterImage(row.type) };
}

function withFiles(dto: MessageDto, files: AttachmentDto[] | undefined): MessageDto {
  if (files && files.length > 0) dto.attachments = files;
  return dto;
}

function agentRef(row: ConversationRow, names: Map<number, string>): { id: number; name: string } | null {
  if (row.assigned_agent_id === null) return null;
  return { id: row.assigned_agent_id, name: names.get(row.assigned_agent_id) ?? 'Agent' };
}
