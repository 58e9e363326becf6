import { fail, ok, type Result } from '../errors/error-codes.js';
import type { NoteRow, NoteStore } from '../storage/note-store.js';
import type { AgentRow } from '../storage/schema.js';
import type { Clock } from '../time/clock.js';
import type { NoteDto } from './dto.js';
import type { ChatEvent } from './events.js';

type Named = Pick<AgentRow, 'id' | 'name'>;

/** Letters and digits (any script): a name ends where they stop, so `@Sam's` names Sam but `@Samantha` does not. */
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * The agents a note names (docs/dashboard.md, "Internal notes"): `@` then an agent's full name,
 * case-insensitive, not followed by another letter or digit; a name with spaces matches whole.
 * When two names fit (`@Ann` and `@Ann Lee`), the longer wins. Ids in order of first mention.
 */
export function findMentions(body: string, agents: Named[]): number[] {
  const lower = body.toLowerCase();
  const byLength = agents.filter((a) => a.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  const found: number[] = [];
  for (let at = lower.indexOf('@'); at !== -1; at = lower.indexOf('@', at + 1)) {
    // `ann@example.test` is an address, not a mention.
    if (at > 0 && WORD_CHAR.test(body.charAt(at - 1))) continue;
    const match = byLength.find((a) => {
      const name = a.name.toLowerCase();
      return lower.startsWith(name, at + 1) && !WORD_CHAR.test(body.charAt(at + 1 + name.length));
    });
    if (match && !found.includes(match.id)) found.push(match.id);
  }
  return found;
}

export function toNoteDto(row: NoteRow, authorName: string | null, mentions: number[]): NoteDto {
  const dto: NoteDto = {
    id: row.id,
    conversation_id: row.conversation_id,
    body: row.body,
    author_name: authorName,
    agent_id: row.agent_id,
    after_seq: row.after_seq,
    created_at: new Date(row.created_at).toISOString(),
    mentions,
  };
  if (row.client_message_id !== null) dto.client_message_id = row.client_message_id;
  return dto;
}

export interface NoteServiceDeps {
  notes: NoteStore;
  /** Every agent account; mentions name active ones only. */
  agents(): Promise<AgentRow[]>;
  clock: Clock;
  /** `NoteAdded` goes to `private-agents` only (docs/realtime.md) and to the mention emails. */
  publish(event: ChatEvent): Promise<void>;
}

/** Internal notes: written by agents on open or closed conversations, read only by agents. */
export class NoteService {
  constructor(private readonly deps: NoteServiceDeps) {}

  /** Stores a note; the same `client_message_id` again answers the stored note (`created: false`) and announces nothing. */
  async add(agent: AgentRow, conversationId: number, body: string, clientMessageId: string | null): Promise<Result<{ note: NoteDto; created: boolean }>> {
    const result = await this.deps.notes.add({ conversationId, agentId: agent.id, body, clientMessageId, now: this.deps.clock.now() });
    if (result.kind === 'missing') return fail('not_found', 'Conversation not found.');
    const [note] = await this.views([result.row]);
    if (!note) throw new Error('a stored note has no view');
    if (result.kind === 'created') await this.deps.publish({ name: 'NoteAdded', note });
    return ok({ note, created: result.kind === 'created' });
  }

  /** Every note of a conversation in transcript order. */
  async list(conversationId: number): Promise<NoteDto[]> {
    return this.views(await this.deps.notes.list(conversationId));
  }

  private async views(rows: NoteRow[]): Promise<NoteDto[]> {
    if (rows.length === 0) return [];
    const agents = await this.deps.agents();
    const names = new Map(agents.map((a) => [a.id, a.name]));
    const active = agents.filter((a) => a.deactivated_at === null);
    return rows.map((r) => toNoteDto(r, r.agent_id === null ? null : (names.get(r.agent_id) ?? null), findMentions(r.body, active)));
  }
}
