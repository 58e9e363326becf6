import { fail, ok, type Result } from '../errors/error-codes.js';
import type { ConversationStore } from '../storage/conversation-store.js';
import type { LabelRow, LabelStore } from '../storage/label-store.js';
import { isUniqueViolation } from '../storage/unique-violation.js';
import type { Clock } from '../time/clock.js';
import type { AgentConversationDto } from './dto.js';
import type { ChatEvent } from './events.js';
import type { Views } from './views.js';

export interface LabelDto {
  id: number;
  name: string;
  color: string | null;
}

/** A label name as compared for uniqueness and matching: case-insensitive (docs/api.md, "Labels"). */
const key = (name: string): string => name.toLocaleLowerCase('en');

/** Labels (docs/api.md, "Labels"): admins define them, every agent applies them to conversations. */
export class LabelService {
  constructor(
    private readonly deps: {
      labels: LabelStore;
      conversations: Pick<ConversationStore, 'get'>;
      views: Views;
      publish: (event: ChatEvent) => Promise<void>;
      clock: Clock;
    },
  ) {}

  async list(): Promise<LabelDto[]> {
    return (await this.deps.labels.list()).map(toLabelDto);
  }

  async create(name: string, color: string | null): Promise<Result<LabelDto>> {
    const existing = await this.deps.labels.list();
    if (existing.some((l) => key(l.name) === key(name))) return taken(name);
    try {
      return ok(toLabelDto(await this.deps.labels.create(name, color, this.deps.clock.now())));
    } catch (error) {
      if (isUniqueViolation(error)) return taken(name);
      throw error;
    }
  }

  async delete(id: number): Promise<Result<null>> {
    return (await this.deps.labels.delete(id)) ? ok(null) : fail('not_found', 'Label not found.');
  }

  /** Replaces the conversation's labels with the named ones; every name must be a label. Publishes `ConversationUpdated`. */
  async setForConversation(conversationId: number, names: string[]): Promise<Result<AgentConversationDto>> {
    const row = await this.deps.conversations.get(conversationId);
    if (!row) return fail('not_found', 'Conversation not found.');
    const byKey = new Map((await this.deps.labels.list()).map((l) => [key(l.name), l]));
    const unknown = names.filter((n) => !byKey.has(key(n)));
    if (unknown.length > 0) {
      return fail('validation_failed', `Unknown label(s): ${unknown.join(', ')}.`, { labels: `names unknown label(s): ${unknown.join(', ')}` });
    }
    const ids = [...new Set(names.map((n) => (byKey.get(key(n)) as LabelRow).id))];
    await this.deps.labels.setForConversation(conversationId, ids);
    const conversation = await this.deps.views.forAgent(row);
    await this.deps.publish({ name: 'ConversationUpdated', conversation });
    return ok(conversation);
  }
}

function toLabelDto(row: LabelRow): LabelDto {
  return { id: row.id, name: row.name, color: row.color };
}

function taken(name: string): Result<never> {
  return fail('label_taken', `A label named "${name}" already exists.`, { name: 'is already a label' });
}
