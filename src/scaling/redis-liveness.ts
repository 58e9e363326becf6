import type { Redis } from 'ioredis';
import type { BusSnapshot, StateChange } from './bus.js';
import type { LivenessStore } from './node-liveness.js';
import type { RedisKeys } from './redis-keys.js';
import { changesOf, socketEntry, storedMember } from './redis-records.js';
import { RECONCILE, runScript } from './redis-scripts.js';

/**
 * Node liveness in Redis: a heartbeat key that expires after three missed beats, a registry of
 * nodes, and RECONCILE, which replaces every entry a node holds in one script: with nothing for
 * a dead node (sweep), with what this node really holds after an outage (rejoin).
 */
export class RedisLiveness implements LivenessStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly heartbeatMs: number,
  ) {}

  async beat(): Promise<void> {
    await this.redis.multi().set(this.keys.heartbeat(this.nodeId), '1', 'PX', this.expiryMs).sadd(this.keys.nodes, this.nodeId).exec();
  }

  async nodes(): Promise<string[]> {
    return this.redis.smembers(this.keys.nodes);
  }

  async sweep(node: string): Promise<StateChange[] | undefined> {
    return this.reconcile(node, true, []);
  }

  /** Replaces whatever Redis holds for this node with `snapshot`, renews its heartbeat, and reports what changed. */
  async rejoin(snapshot: BusSnapshot): Promise<StateChange[]> {
    const wanted = [
      ...snapshot.subscriptions.map(([appId, channel, socketId]) => ['s', appId, channel, socketId, socketEntry('s', appId, channel, socketId), '']),
      ...snapshot.members.map(([appId, channel, socketId, member]) => ['p', appId, channel, socketId, socketEntry('p', appId, channel, socketId), storedMember(this.nodeId, member)]),
    ];
    return (await this.reconcile(this.nodeId, false, wanted)) ?? [];
  }

  /** Drops this node's heartbeat, so the others sweep whatever it still holds. */
  async retire(): Promise<void> {
    await this.redis.del(this.keys.heartbeat(this.nodeId));
  }

  private get expiryMs(): number {
    return this.heartbeatMs * 3;
  }

  private async reconcile(node: string, sweep: boolean, wanted: string[][]): Promise<StateChange[] | undefined> {
    const keys = [this.keys.nodes, this.keys.heartbeat(node), this.keys.nodeSockets(node)];
    return changesOf(await runScript(this.redis, RECONCILE, keys, [node, this.keys.prefix, sweep ? '1' : '0', String(this.expiryMs), JSON.stringify(wanted)]));
  }
}
