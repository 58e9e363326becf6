import type { Broadcaster } from './broadcaster.js';

/** The key and secret that sign `POST /broadcasting/auth` answers: those of the app browsers connect to. */
export interface ChannelSigning {
  key: string;
  secret: string;
  /** Sign conversation channels with the sender's `channel_data` (Parley's or Reverb's server; not hosted Pusher). */
  signsSender: boolean;
}

/**
 * What the chat needs from a realtime service (docs/realtime.md): where committed events go, who
 * is available, and the agent connections it must be able to end. Two implementations: the
 * embedded realtime node, and a server reached over the Pusher HTTP API (or none: log, null).
 */
export interface ChatRealtime extends Broadcaster {
  /** Whether browsers have a WebSocket server to connect to; without one the widget polls. */
  readonly reachable: boolean;
  /** How `POST /broadcasting/auth` and `/broadcasting/user-auth` sign their answers. */
  readonly signing: ChannelSigning;
  /** Agents available to answer, cluster-wide: the widget's `agents_online`. */
  agentsOnline(): Promise<number>;
  /** The ids of the agents connected, cluster-wide: the roster, or without one, the agents seen lately. */
  connectedAgentIds(): Promise<number[]>;
  /**
   * Calls `listener` with the new count whenever an agent comes online or goes offline; counts
   * are taken and handed over one after another, so the last one wins. Never called when the
   * service cannot tell (no presence roster).
   */
  onAvailabilityChange(listener: (agentsOnline: number) => Promise<void>): void;
  /** Remembers that an agent's session authorised `socketId`; resolves once every node knows. */
  connectionAuthorised(socketId: string, agentId: number, session: string): Promise<void>;
  /**
   * Ends the realtime connections an agent's sessions authorised, except those of `keptSession`,
   * cluster-wide. In the background: the request that ended the sessions does not wait, and a
   * failure is logged.
   */
  endAgentConnections(agentId: number, keptSession?: string): void;
}
