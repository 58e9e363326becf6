/**
 * The names of every Redis key and pub/sub channel of one cluster, all under `prefix` so several
 * clusters can share one Redis. RECONCILE (redis-scripts.ts) builds the subs, presence and
 * channels names itself from the prefix: a test keeps both spellings equal.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** The pub/sub channel every node publishes to and listens on. */
  readonly busChannel: string;
  /** The set of node ids that may hold entries. */
  readonly nodes: string;
  /** A node's heartbeat: it expires when the node stops beating. */
  heartbeat(node: string): string;
  /** The set of entries a node holds, so a sweep or resync can find them. */
  nodeSockets(node: string): string;
  /** A channel's subscriptions: socket id → node id. */
  subs(appId: string, channel: string): string;
  /** An app's occupied channels. */
  channels(appId: string): string;
  /** A presence channel's roster: socket id → stored member. */
  presence(appId: string, channel: string): string;
  /** A cache channel's last event. */
  cache(appId: string, channel: string): string;
}

/** The keys of the cluster under `prefix`. */
export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    busChannel: `${prefix}bus`,
    nodes: `${prefix}nodes`,
    heartbeat: (node) => `${prefix}node:${node}`,
    nodeSockets: (node) => `${prefix}node-sockets:${node}`,
    subs: (appId, channel) => `${prefix}subs:${appId}:${channel}`,
    channels: (appId) => `${prefix}channels:${appId}`,
    presence: (appId, channel) => `${prefix}presence:${appId}:${channel}`,
    cache: (appId, channel) => `${prefix}cache:${appId}:${channel}`,
  };
}
