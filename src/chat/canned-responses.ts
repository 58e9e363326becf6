import { fail, ok, type Result } from '../errors/error-codes.js';
import { SHARED_OWNER, type CannedResponseRow, type CannedResponseStore, type CannedWrite } from '../storage/canned-response-store.js';
import type { AgentRow } from '../storage/schema.js';
import type { Clock } from '../time/clock.js';

/** A canned response as the agent API answers it (docs/api.md, "Canned responses"). */
export interface CannedResponseDto {
  id: number;
  shortcut: string;
  body: string;
  /** True for a shared answer (every agent uses it, admins edit it); false for the caller's own. */
  shared: boolean;
  updated_at: string;
}

export interface CannedInput {
  shortcut: string;
  body: string;
  shared: boolean;
}

type Agent = Pick<AgentRow, 'id' | 'role'>;

export function toCannedResponseDto(row: CannedResponseRow): CannedResponseDto {
  return { id: row.id, shortcut: row.shortcut, body: row.body, shared: row.owner_id === SHARED_OWNER, updated_at: new Date(row.updated_at).toISOString() };
}

/**
 * Saved answers (docs/api.md, "Canned responses"): shared ones, which only admins create, change
 * or delete, and each agent's personal ones, which nobody else sees. Another agent's personal
 * answer is "not found", never "forbidden": its existence is not the caller's business.
 */
export class CannedResponses {
  constructor(private readonly deps: { store: CannedResponseStore; clock: Clock }) {}

  async list(agent: Agent): Promise<CannedResponseDto[]> {
    return (await this.deps.store.visibleTo(agent.id)).map(toCannedResponseDto);
  }

  async create(agent: Agent, input: CannedInput): Promise<Result<CannedResponseDto>> {
    if (input.shared && agent.role !== 'admin') return fail('forbidden', 'Only admins can create shared canned responses.');
    const owner = input.shared ? SHARED_OWNER : agent.id;
    const write = await this.deps.store.create({ owner_id: owner, shortcut: input.shortcut, body: input.body, created_by: agent.id, at: this.deps.clock.now() });
    return outcome(write, owner);
  }

  async update(agent: Agent, id: number, patch: Partial<CannedInput>): Promise<Result<CannedResponseDto>> {
    const found = await this.editable(agent, id);
    if (!found.ok) return found;
    if (patch.shared === true && agent.role !== 'admin') return fail('forbidden', 'Only admins can share canned responses.');
    // An admin unsharing an answer keeps it as their own.
    const owner = patch.shared === undefined ? found.value.owner_id : patch.shared ? SHARED_OWNER : agent.id;
    const write = await this.deps.store.update(id, {
      ...(owner !== found.value.owner_id ? { owner_id: owner } : {}),
      ...(patch.shortcut !== undefined ? { shortcut: patch.shortcut } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      at: this.deps.clock.now(),
    });
    return outcome(write, owner);
  }

  async delete(agent: Agent, id: number): Promise<Result<true>> {
    const found = await this.editable(agent, id);
    if (!found.ok) return found;
    return (await this.deps.store.delete(id)) ? ok(true) : notFound();
  }

  /** The answer `id` if `agent` may change it: their own, or a shared one for an admin. */
  private async editable(agent: Agent, id: number): Promise<Result<CannedResponseRow>> {
    const row = await this.deps.store.get(id);
    if (!row || (row.owner_id !== SHARED_OWNER && row.owner_id !== agent.id)) return notFound();
    if (row.owner_id === SHARED_OWNER && agent.role !== 'admin') return fail('forbidden', 'Only admins can change shared canned responses.');
    return ok(row);
  }
}

const notFound = <T>(): Result<T> => fail('not_found', 'Canned response not found.');

function outcome(write: CannedWrite, owner: number): Result<CannedResponseDto> {
  if (write.status === 'missing') return notFound();
  if (write.status === 'taken') {
    const whose = owner === SHARED_OWNER ? 'a shared canned response' : 'another of your canned responses';
    return fail('validation_failed', `The shortcut is already used by ${whose}.`, { shortcut: `is already used by ${whose}` });
  }
  return ok(toCannedResponseDto(write.row));
}
