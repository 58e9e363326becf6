import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusMessage, CachedEvent, Member } from './bus.js';
import { ADD_MEMBER, JOIN, LEAVE, REMOVE_MEMBER, runScript, SWEEP_NODE } from './redis-scripts.js';

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

/**
 * The multi-node `Bus`: state in Redis hashes changed by Lua scripts, so first/last flags are
 * decided once for the whole cluster; fan-out over one pub/sub channel that this node also
 * receives, so every node sees messages in the same order.
 */
export class RedisBus implements Bus {
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly handlers: ((message: BusMessage) => void)[] = [];
  private readonly subscribed: Promise<unknown>;
  private readonly heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(options: RedisBusOptions) {
    this.nodeId = options.nodeId ?? randomBytes(6).toString('hex');
    this.prefix = options.keyPrefix ?? 'parley:';
    this.logger = options.logger;
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.commands = this.connect(options.url, 'commands');
    this.subscriber = this.connect(options.url, 'subscriber');
    this.subscriber.on('message', (_channel: string, raw: string) => this.deliver(raw));
    this.subscribed = this.subscriber.subscribe(this.busChannel).catch((error: unknown) => {
      this.logger.error({ err: error }, 'redis bus: subscribing failed');
    });
    this.beat();
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatMs);
    this.sweepTimer = setInterval(() => void this.sweep(), options.sweepMs ?? 5_000);
    this.heartbeatTimer.unref();
    this.sweepTimer.unref();
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async publish(message: BusMessage): Promise<void> {
    // Until the subscription is live this node would miss its own message.
    await this.subscribed;
    await this.commands.publish(this.busChannel, JSON.stringify(message));
  }

  async join(appId: string, channel: string, socketId: string): Promise<{ count: number; first: boolean }> {
    const keys = [this.subsKey(appId, channel), this.channelsKey(appId), this.nodeSocketsKey(this.nodeId)];
    const [count, first] = pair(await runScript(this.commands, JOIN, keys, [socketId, this.nodeId, channel, entry('s', appId, channel, socketId)]));
    return { count: Number(count), first: first === 1 };
  }

  async leave(appId: string, channel: string, socketId: string): Promise<{ count: number; last: boolean }> {
    const keys = [this.subsKey(appId, channel), this.channelsKey(appId), this.nodeSocketsKey(this.nodeId)];
    const [count, last] = pair(await runScript(this.commands, LEAVE, keys, [socketId, channel, entry('s', appId, channel, socketId)]));
    return { count: Number(count), last: last === 1 };
  }

  async subscriptionCount(appId: string, channel: string): Promise<number> {
    return this.commands.hlen(this.subsKey(appId, channel));
  }

  async channels(appId: string): Promise<Map<string, number>> {
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
  }

  async addMember(appId: string, channel: string, socketId: string, member: Member): Promise<{ firstForUser: boolean }> {
    const stored: StoredMember = { n: this.nodeId, u: member.user_id, m: member };
    const keys = [this.presenceKey(appId, channel), this.nodeSocketsKey(this.nodeId)];
    const first = await runScript(this.commands, ADD_MEMBER, keys, [socketId, member.user_id, JSON.stringify(stored), entry('p', appId, channel, socketId)]);
    return { firstForUser: first === 1 };
  }

  async removeMember(appId: string, channel: string, socketId: string): Promise<{ member: Member | undefined; lastForUser: boolean }> {
    const keys = [this.presenceKey(appId, channel), this.nodeSocketsKey(this.nodeId)];
    const [raw, last] = pair(await runScript(this.commands, REMOVE_MEMBER, keys, [socketId, entry('p', appId, channel, socketId)]));
    if (typeof raw !== 'string' || raw === '') return { member: undefined, lastForUser: false };
    return { member: (JSON.parse(raw) as StoredMember).m, lastForUser: last === 1 };
  }

  async members(appId: string, channel: string): Promise<Member[]> {
    const unique = new Map<string, Member>();
    for (const raw of await this.commands.hvals(this.presenceKey(appId, channel))) {
      const { m } = JSON.parse(raw) as StoredMember;
      if (!unique.has(m.user_id)) unique.set(m.user_id, m);
    }
    return [...unique.values()];
  }

  async setCache(appId: string, channel: string, event: CachedEvent, ttlSeconds: number): Promise<void> {
    await this.commands.set(this.cacheKey(appId, channel), JSON.stringify(event), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const raw = await this.commands.get(this.cacheKey(appId, channel));
    return raw === null ? undefined : (JSON.parse(raw) as CachedEvent);
  }

  /**
   * Clears the entries of every registered node whose heartbeat has expired. Any node may run it
   * at any time: the script checks the heartbeat itself, so a live node is never swept.
   */
  async sweep(): Promise<void> {
    try {
      const nodes = await this.commands.smembers(this.nodesKey);
      for (const node of nodes) {
        if (node === this.nodeId) continue;
        const keys = [this.nodesKey, this.heartbeatKey(node), this.nodeSocketsKey(node)];
        const swept = await runScript(this.commands, SWEEP_NODE, keys, [node, this.prefix]);
        if (typeof swept === 'number' && swept >= 0) this.logger.warn({ node, entries: swept }, 'redis bus: swept a node whose heartbeat expired');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'redis bus: sweep failed');
    }
  }

  /** Test hook: stops this node's heartbeat as a kill -9 would, leaving its entries for the others to sweep. */
  stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
    this.stopHeartbeat();
    clearInterval(this.sweepTimer);
    // Without a heartbeat, whatever this node still holds is swept by the others.
    await this.commands.del(this.heartbeatKey(this.nodeId)).catch(() => undefined);
    await Promise.all([this.commands.quit(), this.subscriber.quit()]);
  }

  private connect(url: string, role: string): Redis {
    const redis = new Redis(url);
    redis.on('error', (error: unknown) => this.logger.error({ err: error, role }, 'redis bus: connection error'));
    return redis;
  }

  private beat(): void {
    this.commands
      .multi()
      .set(this.heartbeatKey(this.nodeId), '1', 'PX', this.heartbeatMs * 3)
      .sadd(this.nodesKey, this.nodeId)
      .exec()
      .catch((error: unknown) => this.logger.error({ err: error }, 'redis bus: heartbeat failed'));
  }

  private deliver(raw: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch (error) {
      this.logger.error({ err: error }, 'redis bus: unreadable message');
      return;
    }
    for (const handler of this.handlers) handler(message);
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

/** How a node remembers what it holds, so the sweep can find it when the node dies. */
const entry = (kind: 's' | 'p', appId: string, channel: string, socketId: string): string => JSON.stringify([kind, appId, channel, socketId]);

const pair = (reply: unknown): [unknown, unknown] => {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`redis bus: unexpected script reply ${JSON.stringify(reply)}`);
  return [reply[0], reply[1]];
};
