import type { AgentStatus } from '../types.js';

/** A member of `presence-agents` as the link reports it: the id and name of its `user_info`, and a status when the server adds one. */
export interface PresenceMember {
  id: number;
  name: string;
  status?: AgentStatus;
}

/** An agent with a dashboard open, as the top bar lists them. */
export interface OnlineAgent {
  id: number;
  name: string;
  status: AgentStatus;
}

/**
 * Who is online (the presence roster) and whether each is online or away (docs/dashboard.md,
 * "Your status"). A live `AgentStatusChanged` outranks the roster's `user_info`, which is as old as
 * that agent's subscription; the agent's own status is the one this dashboard last set or heard.
 */
export class AgentRoster {
  private members: PresenceMember[] = [];
  private readonly statuses = new Map<number, AgentStatus>();
  /** The agents whose status was heard live (or set here): nothing older replaces it. */
  private readonly heard = new Set<number>();

  constructor(
    private readonly selfId: number,
    selfStatus: AgentStatus,
    private readonly changed: (change: { agentsOnline: OnlineAgent[]; status: AgentStatus }) => void,
  ) {
    this.statuses.set(selfId, selfStatus);
    this.heard.add(selfId);
  }

  /** The agent's own status. */
  get own(): AgentStatus {
    return this.statusOf(this.selfId);
  }

  /** The presence roster changed (subscribed, a member joined or left). */
  present(members: PresenceMember[]): void {
    this.members = members;
    for (const member of members) if (member.status && !this.statuses.has(member.id)) this.statuses.set(member.id, member.status);
    this.publish();
  }

  /** Every agent's status as the server lists them (`GET /api/agent/team`): newer than any roster's `user_info`. */
  seed(agents: readonly { id: number; status: AgentStatus }[]): void {
    for (const { id, status } of agents) if (!this.heard.has(id)) this.statuses.set(id, status);
    this.publish();
  }

  /** An agent's status changed: heard live, or set here. */
  set(id: number, status: AgentStatus): void {
    this.statuses.set(id, status);
    this.heard.add(id);
    this.publish();
  }

  private statusOf(id: number): AgentStatus {
    return this.statuses.get(id) ?? 'online';
  }

  private publish(): void {
    this.changed({ agentsOnline: this.members.map(({ id, name }) => ({ id, name, status: this.statusOf(id) })), status: this.own });
  }
}
