import type { AgentStatus } from '../chat/dto.js';
import type { ChatEvent } from '../chat/events.js';
import type { AgentStore } from '../storage/agent-store.js';
import type { AgentRow } from '../storage/schema.js';

/** An agent's `online`/`away` switch (`PATCH /api/agent/me`): stored, shown to other agents, and counted in availability. */
export class AgentStatusService {
  constructor(
    private readonly deps: {
      agents: AgentStore;
      publish(event: ChatEvent): Promise<void>;
      /** Availability may have changed: the widget is told. */
      availabilityChanged(): Promise<void>;
    },
  ) {}

  /** Sets the status; a repeat of the current one changes and announces nothing. */
  async set(agent: AgentRow, status: AgentStatus): Promise<AgentRow> {
    if (agent.status === status) return agent;
    const row = (await this.deps.agents.update(agent.id, { status })) ?? { ...agent, status };
    await this.deps.publish({ name: 'AgentStatusChanged', agentId: agent.id, status });
    await this.deps.availabilityChanged();
    return row;
  }
}
