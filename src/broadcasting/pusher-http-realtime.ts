import type { Broadcaster } from '../chat/broadcaster.js';
import type { ChannelSigning, ChatRealtime } from '../chat/chat-realtime.js';
import type { ChatEvent } from '../chat/events.js';
import type { Clock } from '../time/clock.js';

/** Without a presence roster to read, agents seen within this long count as online. */
export const ONLINE_WINDOW_MS = 5 * 60_000;

export interface PusherHttpRealtimeDeps {
  /** Where events go: the Pusher HTTP API (`PusherBroadcaster`), or a log or nowhere (`BROADCAST_DRIVER=log|null`). */
  broadcaster: Broadcaster;
  signing: ChannelSigning;
  /** Whether browsers have a WebSocket server to connect to (not with `log` or `null`). */
  reachable: boolean;
  /** Ids of the active agents seen (logged in, or an authenticated request) since a time. */
  agentsSeenSince(since: number): Promise<number[]>;
  clock: Clock;
}

/**
 * A realtime server Parley does not run (hosted Pusher, an external Reverb or Parley), reached
 * over the Pusher HTTP API, or none at all. Its presence roster is out of reach, so agents
 * online are those seen lately, and connections stay until that server closes them
 * (docs/api.md, `POST /broadcasting/auth`).
 */
export class PusherHttpRealtime implements ChatRealtime {
  readonly reachable: boolean;
  readonly signing: ChannelSigning;

  constructor(private readonly deps: PusherHttpRealtimeDeps) {
    this.reachable = deps.reachable;
    this.signing = deps.signing;
  }

  publish(event: ChatEvent): Promise<void> {
    return this.deps.broadcaster.publish(event);
  }

  async agentsOnline(): Promise<number> {
    return (await this.connectedAgentIds()).length;
  }

  connectedAgentIds(): Promise<number[]> {
    return this.deps.agentsSeenSince(this.deps.clock.now() - ONLINE_WINDOW_MS);
  }

  /** No roster, so no change to hear of: the widget reads `agents_online` from its config. */
  onAvailabilityChange(_listener: (agentsOnline: number) => Promise<void>): void {}

  /** Nothing to remember: this server cannot close connections by who authorised them. */
  async connectionAuthorised(_socketId: string, _agentId: number, _session: string): Promise<void> {}

  /** A no-op: the Pusher HTTP API can close a user's connections, not those an agent's session authorised. */
  endAgentConnections(_agentId: number, _keptSession?: string): void {}

  close(): Promise<void> {
    return this.deps.broadcaster.close();
  }
}
