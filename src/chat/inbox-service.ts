import { fail, ok, type Result } from '../errors/error-codes.js';
import type { ConversationFilter, ConversationStore } from '../storage/conversation-store.js';
import type { AgentRow, ConversationRow } from '../storage/schema.js';
import type { ChatService } from './chat-service.js';
import type { Clock } from '../time/clock.js';
import type { AgentConversationDto, MessageDto, NoteDto } from './dto.js';
import type { Views } from './views.js';

/** How many earlier same-device conversations a transcript lists. */
const EARLIER_LIMIT = 10;

export interface InboxQuery {
  status?: 'open' | 'closed' | undefined;
  assigned?: 'me' | 'none' | 'any' | undefined;
  limit: number;
  cursor?: string | undefined;
  /** A label name: only conversations that carry it. */
  label?: string | undefined;
}

/** The agents' side of the chat: the inbox, transcripts, replies, assignment, closing, reading. */
export class InboxService {
  constructor(
    private readonly deps: {
      conversations: ConversationStore;
      views: Views;
      chat: ChatService;
      clock: Clock;
      agentExists: (id: number) => Promise<boolean>;
      /** Internal notes, shown with the conversation (docs/api.md, "Internal notes"). */
      notes: { list(conversationId: number): Promise<NoteDto[]> };
    },
  ) {}

  async list(agent: AgentRow, q: InboxQuery): Promise<Result<{ conversations: AgentConversationDto[]; next_cursor: string | null }>> {
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && before === undefined) return fail('validation_failed', 'cursor is not valid.', { cursor: 'is not a cursor from a previous page' });
    // One row more than the page tells whether another page follows, so the last page never offers a cursor.
    const filter: ConversationFilter = {
      status: q.status,
      assignedTo: q.assigned === 'me' ? agent.id : q.assigned === 'none' ? 'none' : undefined,
      limit: q.limit + 1,
      before,
      label: q.label,
    };
    const found = await this.deps.conversations.list(filter);
    const rows = found.slice(0, q.limit);
    const last = rows.at(-1);
    return ok({
      conversations: await this.deps.views.forAgents(rows),
      next_cursor: found.length > q.limit && last ? `${last.last_activity_at}.${last.id}` : null,
    });
  }

  async get(
    id: number,
    after = 0,
    limit = 1000,
  ): Promise<Result<{ conversation: AgentConversationDto; messages: MessageDto[]; earlier_conversations: AgentConversationDto[]; notes: NoteDto[] }>> {
    const row = await this.deps.conversations.get(id);
    if (!row) return fail('not_found', 'Conversation not found.');
    const [messages, earlier, notes] = await Promise.all([
      this.deps.conversations.messages(id, { after, limit }),
      row.client_fingerprint === null ? [] : this.deps.conversations.earlierFromDevice(row.client_fingerprint, id, EARLIER_LIMIT),
      // Every note, whatever page of messages is asked for: a conversation has few.
      this.deps.notes.list(id),
    ]);
    return ok({
      conversation: await this.deps.views.forAgent(row),
      messages: await this.deps.views.messages(messages),
      earlier_conversations: await this.deps.views.forAgents(earlier),
      notes,
    });
  }

  /** An agent message; the same `client_message_id` again answers the stored reply (`created: false`). */
  async reply(agent: AgentRow, id: number, body: string, clientMessageId: string | null): Promise<Result<{ message: MessageDto; created: boolean }>> {
    return this.deps.chat.append(id, { sender: 'agent', agentId: agent.id, body, clientMessageId });
  }

  /** Assigns to an agent, or unassigns with `null`. */
  async assign(id: number, agentId: number | null): Promise<Result<AgentConversationDto>> {
    if (agentId !== null && !(await this.deps.agentExists(agentId))) {
      return fail('validation_failed', 'agent_id does not name an active agent.', { agent_id: 'is not an active agent' });
    }
    return this.update(id, { assigned_agent_id: agentId }, 'assigned');
  }

  async close(id: number): Promise<Result<AgentConversationDto>> {
    const now = this.deps.clock.now();
    return this.update(id, { status: 'closed', closed_at: now, last_activity_at: now });
  }

  async reopen(id: number): Promise<Result<AgentConversationDto>> {
    return this.update(id, { status: 'open', closed_at: null, last_activity_at: this.deps.clock.now() });
  }

  async markRead(agent: AgentRow, id: number, seq: number): Promise<Result<null>> {
    const marker = await this.deps.conversations.markRead(id, 'agent_read_seq', seq);
    if (marker === undefined) return fail('not_found', 'Conversation not found.');
    await this.deps.chat.publish({ name: 'MessagesRead', conversationId: id, reader: { type: 'agent', id: agent.id, name: agent.name }, seq: marker });
    return ok(null);
  }

  private async update(id: number, patch: Parameters<ConversationStore['update']>[1], change?: 'assigned'): Promise<Result<AgentConversationDto>> {
    const row: ConversationRow | undefined = await this.deps.conversations.update(id, patch);
    if (!row) return fail('not_found', 'Conversation not found.');
    const conversation = await this.deps.views.forAgent(row);
    await this.deps.chat.publish({ name: 'ConversationUpdated', conversation, ...(change ? { change } : {}) });
    return ok(conversation);
  }
}

/** `<last_activity_at>.<id>` of the previous page's last row; anything else (or out of range) is not a cursor. */
function decodeCursor(cursor: string): { lastActivityAt: number; id: number } | undefined {
  const match = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (!match) return undefined;
  const lastActivityAt = Number(match[1]);
  const id = Number(match[2]);
  return Number.isSafeInteger(lastActivityAt) && Number.isSafeInteger(id) ? { lastActivityAt, id } : undefined;
}
