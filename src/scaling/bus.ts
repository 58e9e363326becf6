/** A presence member: the user id and the `user_info` their auth gave, as Pusher shares them. */
export interface Member {
  user_id: string;
  user_info?: unknown;
}

/**
 * What nodes tell each other: a pre-encoded frame for a channel's local subscribers; a user
 * signed in as `userId` to disconnect; a connection that an authoriser (`by`, an agent, within
 * `session`) signed something for, so the node holding it remembers; or every connection an
 * authoriser signed for to disconnect, except those authorised only within `exceptSession`.
 */
export type BusMessage =
  | { type: 'channel'; appId: string; channel: string; frame: string; except?: string | undefined }
  | { type: 'terminate'; appId: string; userId: string }
  | { type: 'authorised'; appId: string; socketId: string; by: string; session: string }
  | { type: 'terminate_authorised'; appId: string; by: string; exceptSession?: string | undefined };

/**
 * Cluster state that changed without a client of this node asking: a dead node's entries swept,
 * or this node's entries restored after a Redis outage. `resynced` follows an outage, during
 * which this node may have missed other nodes' broadcasts.
 */
export type StateChange =
  | { type: 'occupied' | 'vacated'; appId: string; channel: string }
  | { type: 'member_added' | 'member_removed'; appId: string; channel: string; member: Member }
  | { type: 'resynced'; outageMs: number };

/** What `addMember` did: `full` when it refused a new user. */
export interface MemberAdded {
  firstForUser: boolean;
  full?: true;
}

/** A stored last event of a cache channel. */
export interface CachedEvent {
  event: string;
  data: string;
}

/** Everything one node holds: its subscriptions and its presence entries, by connection. */
export interface BusSnapshot {
  subscriptions: [appId: string, channel: string, socketId: string][];
  members: [appId: string, channel: string, socketId: string, member: Member][];
}

/** Fan-out between nodes: every published message reaches every node, in the same order. */
export interface FanOut {
  readonly nodeId: string;
  /** Registers the node's delivery handler; every published message reaches every node, this one included. */
  onMessage(handler: (message: BusMessage) => void): void;
  publish(message: BusMessage): Promise<void>;
  close(): Promise<void>;
}

/**
 * Channel occupancy, presence rosters and cached events, answered for the whole cluster;
 * `first`/`last` flags are true on exactly one node, so webhooks and presence events happen once.
 */
export interface ChannelState {
  /** Registers the handler of state changes (never called on a single node). */
  onStateChange(handler: (change: StateChange) => void): void;

  join(appId: string, channel: string, socketId: string): Promise<{ count: number; first: boolean }>;
  leave(appId: string, channel: string, socketId: string): Promise<{ count: number; last: boolean }>;
  subscriptionCount(appId: string, channel: string): Promise<number>;
  /** Occupied channels of an app with their subscription counts. */
  channels(appId: string): Promise<Map<string, number>>;

  /**
   * Adds a connection to a presence roster; `firstForUser` when the user had no connection there
   * before. A new user is refused (`full`, nothing stored) when the roster already has `maxUsers`
   * users: decided atomically, so simultaneous joins never overfill a room nor all get refused.
   */
  addMember(appId: string, channel: string, socketId: string, member: Member, maxUsers?: number): Promise<MemberAdded>;
  /** Removes a connection; `lastForUser` when it was the user's last one in that roster. */
  removeMember(appId: string, channel: string, socketId: string): Promise<{ member: Member | undefined; lastForUser: boolean }>;
  /** One entry per user, whatever their number of connections. */
  members(appId: string, channel: string): Promise<Member[]>;

  setCache(appId: string, channel: string, event: CachedEvent, ttlSeconds: number): Promise<void>;
  getCache(appId: string, channel: string): Promise<CachedEvent | undefined>;

  close(): Promise<void>;
}

/** The scaling seam the realtime server uses: fan-out and channel state, for one node (memory) or a cluster (Redis). */
export interface Bus extends FanOut, ChannelState {}
