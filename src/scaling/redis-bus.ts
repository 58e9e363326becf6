import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusMessage, CachedEvent, Member, StateChange } from './bus.js';
import { MemoryBus } from './memory-bus.js';
import { ADD_MEMBER, JOIN, LEAVE, RECONCILE, REMOVE_MEMBER, runScript } from './redis-scripts.js';

export interface RedisBusOptions {
  url: string;
  nodeId?: string;
  /** Prefix of every key and of the pub/sub channel, so several clusters can share one Redis. */
  keyPrefix?: string;
  logger: Logger;
  /** How often this node proves it is alive; its heartbeat expires after three missed beats. */
  heartbeatMs?: number;
  /** How often this node clears what dead nodes left behind. */
  sweepMs?: number;
}

/** A presence entry as stored: the owning node, the user id (read by the Lua scripts) and the member. */
interface StoredMember {
  n: string;
  u: string;
  m: Member;
}

/** Resyncs retried when clients keep changing channels while one runs; the next reconnect tries again. */
const MAX_RESYNC_ATTEMPTS = 5;

/**
 * The multi-node `Bus`: state in Redis hashes changed by Lua scripts, so first/last flags are
 * decided once for the whole cluster; fan-out over one pub/sub channel that this node also
 * receives, so every node sees messages in the same order.
 *
 * This node's own entries are also kept in memory (`local`). When Redis is unreachable the bus
 * keeps serving this node's clients from that copy (answers and deliveries are then local only),
 * and once Redis is back it replaces whatever Redis holds for this node with the copy in one
 * script, reports what that changed, and then `resynced`.
 */
export class RedisBus implements Bus {
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly local = new MemoryBus();
  private readonly handlers: ((message: BusMessage) => void)[] = [];
  private readonly changeHandlers: ((change: StateChange) => void)[] = [];
  private readonly heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  /** Whether Redis holds this node's entries and both connections are up: until then, local only. */
  private synced = false;
  private subscribed = false;
  /** When the current outage began; undefined before the first connection and while healthy. */
  private outageSince: number | undefined;
  /** Bumped by every change to `local`, so a resync can tell whether it raced with one. */
  private version = 0;
  private resyncing: Promise<void> | undefined;
  private closing = false;

  constructor(options: RedisBusOptions) {
    this.nodeId = options.nodeId ?? randomBytes(6).toString('hex');
    this.prefix = options.keyPrefix ?? 'parley:';
    this.logger = options.logger;
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    // No offline queue: while Redis is away a command fails at once and the local copy answers.
    this.commands = this.connect(options.url, 'commands', { enableOfflineQueue: false });
    this.subscriber = this.connect(options.url, 'subscriber', {});
    this.local.onMessage((message) => this.dispatch(message));
    this.subscriber.on('message', (_channel: string, raw: string) => this.deliver(raw));
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatMs);
    this.sweepTimer = setInterval(() => void this.sweep(), options.sweepMs ?? 5_000);
    this.heartbeatTimer.unref();
    this.sweepTimer.unref();
  }

  /** Whether Redis currently holds this node's state (false during an outage and before the first connection). */
  get connected(): boolean {
    return this.synced;
  }

  /**
   * Resolves true once Redis holds this node's state, or false after `timeoutMs` (the bus then
   * serves this node alone and keeps trying): a starting node waits here before it takes clients.
   */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.synced && !this.closing && Date.now() < deadline) {
      await (this.resyncing ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
    return this.synced;
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  onStateChange(handler: (change: StateChange) => void): void {
    this.changeHandlers.push(handler);
  }

  async publish(message: BusMessage): Promise<void> {
    // Published messages come back through the subscription, to this node too; without Redis, only this node's clients get them.
    if (this.synced) {
      try {
        await this.commands.publish(this.busChannel, JSON.stringify(message));
        return;
      } catch (error) {
        this.lost(error);
      }
    }
    await this.local.publish(message);
  }

  async join(appId: string, channel: string, socketId: string): Promise<{ count: number; first: boolean }> {
    const local = await this.changed(this.local.join(appId, channel, socketId));
    return this.either(local, async () => {
      const keys = [this.subsKey(appId, channel), this.channelsKey(appId), this.nodeSocketsKey(this.nodeId)];
      const [count, first] = pair(await runScript(this.commands, JOIN, keys, [socketId, this.nodeId, channel, entry('s', appId, channel, socketId)]));
      return { count: Number(count), first: first === 1 };
    });
  }

  async leave(appId: string, channel: string, socketId: string): Promise<{ count: number; last: boolean }> {
    const local = await this.changed(this.local.leave(appId, channel, socketId));
    return this.either(local, async () => {
      const keys = [this.subsKey(appId, channel), this.channelsKey(appId), this.nodeSocketsKey(this.nodeId)];
      const [count, last] = pair(await runScript(this.commands, LEAVE, keys, [socketId, channel, entry('s', appId, channel, socketId)]));
      return { count: Number(count), last: last === 1 };
    });
  }

  async subscriptionCount(appId: string, channel: string): Promise<number> {
    return this.either(await this.local.subscriptionCount(appId, channel), () => this.commands.hlen(this.subsKey(appId, channel)));
  }

  async channels(appId: string): Promise<Map<string, number>> {
    return this.either(await this.local.channels(appId), async () => {
      const names = await this.commands.smembers(this.channelsKey(appId));
      const pipeline = this.commands.pipeline();
      for (const name of names) pipeline.hlen(this.subsKey(appId, name));
      const counts = (await pipeline.exec()) ?? [];
      const result = new Map<string, number>();
      names.forEach((name, i) => {
        const count = Number(counts[i]?.[1] ?? 0);
        if (count > 0) result.set(name, count);
      });
      return result;
    });
  }

  async addMember(appId: string, channel: string, socketId: string, member: Member): Promise<{ firstForUser: boolean }> {
    const local = await this.changed(this.local.addMember(appId, channel, socketId, member));
    return this.either(local, async () => {
      const keys = [this.presenceKey(appId, channel), this.nodeSocketsKey(this.nodeId)];
      const first = await runScript(this.commands, ADD_MEMBER, keys, [socketId, member.user_id, this.stored(member), entry('p', appId, channel, socketId)]);
      return { firstForUser: first === 1 };
    });
  }

  async removeMember(appId: string, channel: string, socketId: string): Promise<{ member: Member | undefined; lastForUser: boolean }> {
    const local = await this.changed(this.local.removeMember(appId, channel, socketId));
    return this.either(local, async () => {
      const keys = [this.presenceKey(appId, channel), this.nodeSocketsKey(this.nodeId)];
      const [raw, last] = pair(await runScript(this.commands, REMOVE_MEMBER, keys, [socketId, entry('p', appId, channel, socketId)]));
      if (typeof raw !== 'string' || raw === '') return { member: undefined, lastForUser: false };
      return { member: (JSON.parse(raw) as StoredMember).m, lastForUser: last === 1 };
    });
  }

  async members(appId: string, channel: string): Promise<Member[]> {
    return this.either(await this.local.members(appId, channel), async () => {
      const unique = new Map<string, Member>();
      for (const raw of await this.commands.hvals(this.presenceKey(appId, channel))) {
        const { m } = JSON.parse(raw) as StoredMember;
        if (!unique.has(m.user_id)) unique.set(m.user_id, m);
      }
      return [...unique.values()];
    });
  }

  async setCache(appId: string, channel: string, event: CachedEvent, ttlSeconds: number): Promise<void> {
    await this.local.setCache(appId, channel, event, ttlSeconds);
    await this.either(undefined, async () => {
      await this.commands.set(this.cacheKey(appId, channel), JSON.stringify(event), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    });
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    return this.either(await this.local.getCache(appId, channel), async () => {
      const raw = await this.commands.get(this.cacheKey(appId, channel));
      return raw === null ? undefined : (JSON.parse(raw) as CachedEvent);
    });
  }

  /**
   * Clears the entries of every registered node whose heartbeat has expired, and reports what
   * that changed. Any node may run it at any time: the script checks the heartbeat itself, so a
   * live node is never swept, and only one sweeper gets a dead node's changes.
   */
  async sweep(): Promise<void> {
    if (!this.synced) return;
    try {
      const nodes = await this.commands.smembers(this.nodesKey);
      for (const node of nodes) {
        if (node === this.nodeId) continue;
        const changes = await this.reconcile(node, true, []);
        if (!changes) continue;
        this.logger.warn({ node, changes: changes.length }, 'redis bus: swept a node whose heartbeat expired');
        this.report(changes);
      }
    } catch (error) {
      this.lost(error);
    }
  }

  /** Test hook: stops this node's heartbeat as a kill -9 would, leaving its entries for the others to sweep. */
  stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handlers.length = 0;
    this.changeHandlers.length = 0;
    this.stopHeartbeat();
    clearInterval(this.sweepTimer);
    // Without a heartbeat, whatever this node still holds is swept by the others.
    if (this.synced) await this.commands.del(this.heartbeatKey(this.nodeId)).catch(() => undefined);
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private connect(url: string, role: 'commands' | 'subscriber', options: { enableOfflineQueue?: boolean }): Redis {
    // A command never waits more than 2 s: a half-open connection must not stall a client's subscription.
    const redis = new Redis(url, { ...options, commandTimeout: 2_000, maxRetriesPerRequest: 1, retryStrategy: (attempt) => Math.min(attempt * 200, 2_000) });
    redis.on('error', (error: unknown) => this.lost(error));
    redis.on('close', () => {
      if (role === 'subscriber') this.subscribed = false;
      this.lost(new Error(`redis ${role} connection closed`));
    });
    redis.on('ready', () => (role === 'subscriber' ? void this.subscribe() : this.restored()));
    return redis;
  }

  /** (Re)subscribes to the bus channel; only then can this node hear what others publish. */
  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.busChannel);
      this.subscribed = true;
      this.restored();
    } catch (error) {
      this.lost(error);
    }
  }

  /** Redis failed: answer from the local copy until it is back and resynchronised. Logged once per outage. */
  private lost(error: unknown): void {
    if (this.closing) return;
    const wasSynced = this.synced;
    this.synced = false;
    if (this.outageSince === undefined) {
      this.outageSince = Date.now();
      this.logger.error({ err: error }, 'redis bus: Redis unreachable; serving this node\'s clients only until it is back');
    }
    // A failed command on live connections (a timeout, say): resynchronise at once.
    if (wasSynced) this.restored();
  }

  /** A connection is (back) up: once both are, put this node's state back into Redis. */
  private restored(): void {
    if (this.closing || this.synced || this.resyncing) return;
    if (this.commands.status !== 'ready' || this.subscriber.status !== 'ready' || !this.subscribed) return;
    this.resyncing = this.resync().finally(() => {
      this.resyncing = undefined;
    });
  }

  private async resync(): Promise<void> {
    for (let attempt = 0; attempt < MAX_RESYNC_ATTEMPTS && !this.closing; attempt++) {
      const version = this.version;
      const snapshot = this.local.snapshot();
      const wanted = [
        ...snapshot.subscriptions.map(([appId, channel, socketId]) => ['s', appId, channel, socketId, entry('s', appId, channel, socketId), '']),
        ...snapshot.members.map(([appId, channel, socketId, member]) => ['p', appId, channel, socketId, entry('p', appId, channel, socketId), this.stored(member)]),
      ];
      let changes: StateChange[] | undefined;
      try {
        changes = await this.reconcile(this.nodeId, false, wanted);
      } catch (error) {
        this.lost(error);
        return;
      }
      if (version !== this.version) continue;
      this.synced = true;
      const outageMs = this.outageSince === undefined ? undefined : Date.now() - this.outageSince;
      this.outageSince = undefined;
      if (outageMs === undefined) this.logger.info({ node: this.nodeId }, 'redis bus: connected');
      else this.logger.warn({ node: this.nodeId, entries: wanted.length, changes: changes?.length ?? 0, outageMs }, 'redis bus: Redis is back; this node\'s state is resynchronised');
      this.report([...(changes ?? []), ...(outageMs === undefined ? [] : [{ type: 'resynced', outageMs } as const])]);
      return;
    }
    this.logger.warn('redis bus: state kept changing during resync; retrying on the next heartbeat');
  }

  /** Runs RECONCILE for `node`; undefined when a sweep finds the node alive. */
  private async reconcile(node: string, sweep: boolean, wanted: string[][]): Promise<StateChange[] | undefined> {
    const keys = [this.nodesKey, this.heartbeatKey(node), this.nodeSocketsKey(node)];
    const reply = await runScript(this.commands, RECONCILE, keys, [node, this.prefix, sweep ? '1' : '0', String(this.heartbeatMs * 3), JSON.stringify(wanted)]);
    if (!Array.isArray(reply)) return undefined;
    return (reply as [string, string, string, string][]).map(([what, appId, channel, raw]): StateChange => {
      if (what === 'member_added' || what === 'member_removed') return { type: what, appId, channel, member: (JSON.parse(raw) as StoredMember).m };
      return { type: what === 'occupied' ? 'occupied' : 'vacated', appId, channel };
    });
  }

  /** Redis's answer while it holds this node's state; the local copy's otherwise, or when Redis fails. */
  private async either<T>(local: T, remote: () => Promise<T>): Promise<T> {
    if (!this.synced) return local;
    try {
      return await remote();
    } catch (error) {
      this.lost(error);
      return local;
    }
  }

  private async changed<T>(result: Promise<T>): Promise<T> {
    this.version++;
    return result;
  }

  private beat(): void {
    if (!this.synced) {
      // A resync that gave up (or a reconnect with no event) is retried on the heartbeat.
      this.restored();
      return;
    }
    this.commands
      .multi()
      .set(this.heartbeatKey(this.nodeId), '1', 'PX', this.heartbeatMs * 3)
      .sadd(this.nodesKey, this.nodeId)
      .exec()
      .catch((error: unknown) => this.lost(error));
  }

  private deliver(raw: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch (error) {
      this.logger.error({ err: error }, 'redis bus: unreadable message');
      return;
    }
    this.dispatch(message);
  }

  private report(changes: StateChange[]): void {
    for (const change of changes) {
      for (const handler of this.changeHandlers) {
        try {
          handler(change);
        } catch (error) {
          this.logger.error({ err: error, change: change.type }, 'redis bus: state change handler failed');
        }
      }
    }
  }

  private dispatch(message: BusMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  private stored(member: Member): string {
    return JSON.stringify({ n: this.nodeId, u: member.user_id, m: member } satisfies StoredMember);
  }

  private get busChannel(): string {
    return `${this.prefix}bus`;
  }
  private get nodesKey(): string {
    return `${this.prefix}nodes`;
  }
  private heartbeatKey(node: string): string {
    return `${this.prefix}node:${node}`;
  }
  private nodeSocketsKey(node: string): string {
    return `${this.prefix}node-sockets:${node}`;
  }
  private subsKey(appId: string, channel: string): string {
    return `${this.prefix}subs:${appId}:${channel}`;
  }
  private channelsKey(appId: string): string {
    return `${this.prefix}channels:${appId}`;
  }
  private presenceKey(appId: string, channel: string): string {
    return `${this.prefix}presence:${appId}:${channel}`;
  }
  private cacheKey(appId: string, channel: string): string {
    return `${this.prefix}cache:${appId}:${channel}`;
  }
}

/** How a node remembers what it holds, so a sweep or resync can find it. */
const entry = (kind: 's' | 'p', appId: string, channel: string, socketId: string): string => JSON.stringify([kind, appId, channel, socketId]);

const pair = (reply: unknown): [unknown, unknown] => {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`redis bus: unexpected script reply ${JSON.stringify(reply)}`);
  return [reply[0], reply[1]];
};
