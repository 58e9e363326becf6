import type { Redis } from 'ioredis';
import type { CachedEvent, ChannelState, Member, StateChange, MemberAdded } from './bus.js';
import type { RedisKeys } from './redis-keys.js';
import { memberOf, pair, socketEntry, storedMember } from './redis-records.js';
import { ADD_MEMBER, JOIN, LEAVE, REMOVE_MEMBER, runScript } from './redis-scripts.js';

/**
 * Channel state in Redis hashes changed by Lua scripts, so first/last flags are decided once for
 * the whole cluster. Each change is also recorded in the node's socket set, so that what a node
 * held can be found again when it dies or comes back from an outage (node-liveness.ts).
 */
export class RedisChannelState implements ChannelState {
  private readonly changeHandlers: ((change: StateChange) => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
  ) {}

  onStateChange(handler: (change: StateChange) => void): void {
    this.changeHandlers.push(handler);
  }

  /** Tells the handlers what changed behind this node's back (a dead node swept, say). */
  report(changes: StateChange[]): void {
    for (const change of changes) for (const handler of this.changeHandlers) handler(change);
  }

  async join(appId: string, channel: string, socketId: string): Promise<{ count: number; first: boolean }> {
    const keys = [this.keys.subs(appId, channel), this.keys.channels(appId), this.keys.nodeSockets(this.nodeId)];
    const [count, first] = pair(await runScript(this.redis, JOIN, keys, [socketId, this.nodeId, channel, socketEntry('s', appId, channel, socketId)]));
    return { count: Number(count), first: first === 1 };
  }

  async leave(appId: string, channel: string, socketId: string): Promise<{ count: number; last: boolean }> {
    const keys = [this.keys.subs(appId, channel), this.keys.channels(appId), this.keys.nodeSockets(this.nodeId)];
    const [count, last] = pair(await runScript(this.redis, LEAVE, keys, [socketId, channel, socketEntry('s', appId, channel, socketId)]));
    return { count: Number(count), last: last === 1 };
  }

  async subscriptionCount(appId: string, channel: string): Promise<number> {
    return this.redis.hlen(this.keys.subs(appId, channel));
  }

  async channels(appId: string): Promise<Map<string, number>> {
    const names = await this.redis.smembers(this.keys.channels(appId));
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hlen(this.keys.subs(appId, name));
    const counts = (await pipeline.exec()) ?? [];
    const result = new Map<string, number>();
    names.forEach((name, i) => {
      const count = Number(counts[i]?.[1] ?? 0);
      if (count > 0) result.set(name, count);
    });
    return result;
  }

  async addMember(appId: string, channel: string, socketId: string, member: Member, maxUsers = Number.MAX_SAFE_INTEGER): Promise<MemberAdded> {
    const keys = [this.keys.presence(appId, channel), this.keys.nodeSockets(this.nodeId)];
    const args = [socketId, member.user_id, storedMember(this.nodeId, member), socketEntry('p', appId, channel, socketId), String(maxUsers)];
    const first = await runScript(this.redis, ADD_MEMBER, keys, args);
    return first === -1 ? { firstForUser: false, full: true } : { firstForUser: first === 1 };
  }

  async removeMember(appId: string, channel: string, socketId: string): Promise<{ member: Member | undefined; lastForUser: boolean }> {
    const keys = [this.keys.presence(appId, channel), this.keys.nodeSockets(this.nodeId)];
    const [raw, last] = pair(await runScript(this.redis, REMOVE_MEMBER, keys, [socketId, socketEntry('p', appId, channel, socketId)]));
    if (typeof raw !== 'string' || raw === '') return { member: undefined, lastForUser: false };
    return { member: memberOf(raw), lastForUser: last === 1 };
  }

  async members(appId: string, channel: string): Promise<Member[]> {
    const unique = new Map<string, Member>();
    for (const raw of await this.redis.hvals(this.keys.presence(appId, channel))) {
      const member = memberOf(raw);
      if (!unique.has(member.user_id)) unique.set(member.user_id, member);
    }
    return [...unique.values()];
  }

  async setCache(appId: string, channel: string, event: CachedEvent, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.cache(appId, channel), JSON.stringify(event), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const raw = await this.redis.get(this.keys.cache(appId, channel));
    return raw === null ? undefined : (JSON.parse(raw) as CachedEvent);
  }

  async close(): Promise<void> {
    this.changeHandlers.length = 0;
  }
}
