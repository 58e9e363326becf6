import type { Logger } from 'pino';
import type { AssignmentStore, AssignmentTx, StoredAssignmentSettings } from '../storage/assignment-store.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import { SETTINGS_DEFAULTS } from './chat-settings.js';
import type { ChatEvent } from './events.js';

/** What the round robin decides from (docs/dashboard.md, "Automatic assignment"). */
export interface PickInput {
  /** Agents who can answer now: online, connected, active. */
  eligible: readonly number[];
  /** The agent who got the last conversation handed out automatically. */
  pointer: number | null;
  /** Open conversations assigned to each agent (absent: none). */
  openCounts: ReadonlyMap<number, number>;
  /** `max_open_per_agent`: an agent with this many open conversations gets no more. */
  limit: number;
}

/** The next eligible agent after the pointer in id order, wrapping, among those under the limit; none when nobody is. */
export function pickAgent(input: PickInput): number | undefined {
  const open = [...new Set(input.eligible)].sort((a, b) => a - b).filter((id) => (input.openCounts.get(id) ?? 0) < input.limit);
  const pointer = input.pointer;
  return (pointer === null ? undefined : open.find((id) => id > pointer)) ?? open[0];
}

/** One assignment made: the conversation, who has it now (null: unassigned, waiting). */
export interface Assigned {
  conversationId: number;
  agentId: number | null;
}

export interface AssignmentDeps {
  store: Pick<AssignmentStore, 'transaction' | 'unansweredOf' | 'settings'>;
  /** Agents connected cluster-wide (the presence roster, or those seen lately). */
  connectedAgentIds(): Promise<number[]>;
  /** Publishes `ConversationUpdated` for a conversation whose assignee changed. */
  announce(conversationId: number): Promise<void>;
  logger: Logger;
  /** Waits out `offlineGraceMs` before handing over the conversations of an agent who disconnected. */
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  /** How long an agent may be disconnected (a reload, a network blip) before their conversations move (30 s). */
  offlineGraceMs?: number;
}

/** Another node assigned or moved the pointer between our read and write: the transaction is rolled back and tried again. */
class Raced extends Error {}

const ATTEMPTS = 5;
const OFFLINE_GRACE_MS = 30_000;
/** A bound on one fill, so a storm of events cannot keep one request busy. */
const MAX_PER_FILL = 500;

/**
 * Automatic assignment (docs/dashboard.md, "Automatic assignment"): when `auto_assign` is on, new
 * conversations go round robin to available agents under `max_open_per_agent`; those that find
 * nobody wait, oldest first, for an agent to come online or free a slot. Each pick and its
 * assignment happen in one transaction holding the settings row, with conditional updates, so
 * several nodes never give one conversation to two agents nor exceed a limit.
 */
export class AssignmentService {
  /** The agents available at the last availability change this node saw: who left since is handed over. */
  private available: Set<number> | undefined;
  /** Agents who left, checked again once the grace is over. */
  private readonly leaving = new Map<number, TimerHandle>();
  /** Those checks while they run. */
  private readonly checking = new Set<Promise<void>>();

  constructor(private readonly deps: AssignmentDeps) {}

  /** Hands out waiting conversations, oldest first, until none waits or nobody can take one. */
  async fill(): Promise<Assigned[]> {
    if (!(await this.enabled())) return [];
    const connected = await this.deps.connectedAgentIds();
    const done: Assigned[] = [];
    for (let i = 0; i < MAX_PER_FILL; i++) {
      const assigned = await this.attempt((tx) => this.assignOldest(tx, connected));
      if (assigned === undefined) break;
      done.push(assigned);
      await this.deps.announce(assigned.conversationId);
    }
    return done;
  }

  /**
   * An agent went away or offline: their open conversations nobody has answered yet go to other
   * available agents, or back to waiting; the ones they answered stay theirs. Then waiting ones are handed out.
   */
  async handOver(agentId: number): Promise<Assigned[]> {
    if (!(await this.enabled())) return [];
    const connected = (await this.deps.connectedAgentIds()).filter((id) => id !== agentId);
    const done: Assigned[] = [];
    for (const conversationId of await this.deps.store.unansweredOf(agentId)) {
      const moved = await this.attempt((tx) => this.moveOne(tx, conversationId, agentId, connected));
      if (moved === 'off') return done;
      if (moved === undefined) continue;
      done.push(moved);
      await this.deps.announce(conversationId);
    }
    return [...done, ...(await this.fill())];
  }

  /** Reacts to committed chat events (a listener, see src/compose/assignment-for.ts, which logs a failure). */
  async handle(event: ChatEvent): Promise<void> {
    switch (event.name) {
      case 'MessageSent':
        // A new conversation: the visitor's first message.
        if (event.message.sender === 'visitor' && event.message.seq === 1) await this.fill();
        return;
      case 'ConversationUpdated':
        // Closing frees a slot; assignments this service makes are open and change nothing here.
        if (event.conversation.status === 'closed') await this.fill();
        return;
      case 'AgentStatusChanged':
        if (event.status === 'away') await this.handOver(event.agentId);
        else await this.fill();
        return;
      case 'AvailabilityChanged':
        await this.availabilityChanged();
        return;
      default:
        return;
    }
  }

  /** Learns who is available now, so that the first change this node sees can tell who left. */
  async prime(): Promise<void> {
    this.available = new Set((await this.availableNow()).available);
  }

  /** Someone connected, disconnected or switched status: hand over the conversations of those who left, then fill. */
  private async availabilityChanged(): Promise<void> {
    if (!(await this.enabled())) return;
    const before = this.available;
    const { connected, available } = await this.availableNow();
    const now = new Set(available);
    this.available = now;
    // One still connected switched to away (handed over at once, on AgentStatusChanged) or was deactivated: no grace to wait out.
    for (const id of before ?? []) if (!now.has(id) && !connected.includes(id)) this.leave(id);
    await this.fill();
  }

  /** Stops waiting for agents who left, and lets a check that runs finish (the node is closing). */
  async stop(): Promise<void> {
    for (const timer of this.leaving.values()) this.deps.timers.clearTimeout(timer);
    this.leaving.clear();
    await this.settled();
  }

  /** Resolves once the checks after a grace that are running now are done. */
  async settled(): Promise<void> {
    await Promise.all([...this.checking]);
  }

  /** An agent left: once the grace is over, their conversations move unless they are back. Away is handled at once (`handOver`). */
  private leave(agentId: number): void {
    if (this.leaving.has(agentId)) return;
    const check = async () => {
      this.leaving.delete(agentId);
      if (!(await this.availableNow()).available.includes(agentId)) await this.handOver(agentId);
    };
    const run = () => {
      const running = check().catch((error: unknown) => this.deps.logger.error({ err: error }, 'automatic assignment failed'));
      this.checking.add(running);
      void running.finally(() => this.checking.delete(running));
    };
    const timer = this.deps.timers.setTimeout(run, this.deps.offlineGraceMs ?? OFFLINE_GRACE_MS);
    this.leaving.set(agentId, timer);
  }

  private async availableNow(): Promise<{ connected: number[]; available: number[] }> {
    const connected = await this.deps.connectedAgentIds();
    return { connected, available: await this.deps.store.transaction((tx) => tx.onlineAmong(connected)) };
  }

  private async assignOldest(tx: AssignmentTx, connected: number[]): Promise<Assigned | undefined> {
    const settings = await this.lockedSettings(tx);
    if (settings === undefined) return undefined;
    const conversationId = await tx.oldestWaiting();
    if (conversationId === undefined) return undefined;
    const agentId = await this.pick(tx, connected, settings);
    if (agentId === undefined) return undefined;
    if (!(await tx.assignWaiting(conversationId, agentId))) throw new Raced();
    if (!(await tx.movePointer(settings.pointer, agentId))) throw new Raced();
    return { conversationId, agentId };
  }

  private async moveOne(tx: AssignmentTx, conversationId: number, from: number, connected: number[]): Promise<Assigned | 'off' | undefined> {
    const settings = await this.lockedSettings(tx);
    if (settings === undefined) return 'off';
    const agentId = (await this.pick(tx, connected, settings)) ?? null;
    if (!(await tx.handOver(conversationId, from, agentId))) return undefined;
    if (agentId !== null && !(await tx.movePointer(settings.pointer, agentId))) throw new Raced();
    return { conversationId, agentId };
  }

  /** Whether automatic assignment is on, read without a lock: when off, nothing else is read. */
  private async enabled(): Promise<boolean> {
    const s = await this.deps.store.settings();
    return s !== undefined && isOn(s);
  }

  /** The settings, locked for this transaction (read again: an admin may have just turned it off); nothing when off. */
  private async lockedSettings(tx: AssignmentTx): Promise<{ pointer: number | null; limit: number } | undefined> {
    const s = await tx.settings();
    if (!isOn(s)) return undefined;
    return { pointer: s.lastAssignedAgentId, limit: s.maxOpenPerAgent ?? SETTINGS_DEFAULTS.max_open_per_agent };
  }

  private async pick(tx: AssignmentTx, connected: number[], settings: { pointer: number | null; limit: number }): Promise<number | undefined> {
    const eligible = await tx.onlineAmong(connected);
    const openCounts = await tx.openCounts(eligible);
    return pickAgent({ eligible, pointer: settings.pointer, openCounts, limit: settings.limit });
  }

  /** Runs one pick in its own transaction, again when another node got in between (never on PostgreSQL, where the lock serialises pickers). */
  private async attempt<T>(work: (tx: AssignmentTx) => Promise<T>): Promise<T | undefined> {
    for (let i = 1; ; i++) {
      try {
        return await this.deps.store.transaction(work);
      } catch (error) {
        if (!(error instanceof Raced) || i >= ATTEMPTS) {
          this.deps.logger.error({ err: error }, 'automatic assignment failed');
          return undefined;
        }
      }
    }
  }
}

function isOn(s: StoredAssignmentSettings): boolean {
  return s.autoAssign === null ? SETTINGS_DEFAULTS.auto_assign : s.autoAssign === 1;
}
