import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import { systemTimers, type Timers } from '../time/timers.js';
import { FailoverBus } from './failover-bus.js';
import { NodeLiveness } from './node-liveness.js';
import { RedisChannelState } from './redis-channel-state.js';
import { RedisFanOut } from './redis-fan-out.js';
import { redisKeys } from './redis-keys.js';
import { RedisLink } from './redis-link.js';
import { RedisLiveness } from './redis-liveness.js';

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
  clock?: Clock;
  timers?: Timers;
}

/**
 * The multi-node `Bus`: Redis fan-out and channel state behind the failover bus, which serves
 * this node's clients from its local copy while Redis is away and resyncs Redis once it is back;
 * node liveness beats while Redis holds this node's state and sweeps what dead nodes left behind.
 */
export class RedisBus extends FailoverBus {
  private readonly link: RedisLink;
  private readonly liveness: NodeLiveness;
  private readonly store: RedisLiveness;

  constructor(options: RedisBusOptions) {
    const nodeId = options.nodeId ?? randomBytes(6).toString('hex');
    const keys = redisKeys(options.keyPrefix ?? 'parley:');
    const heartbeatMs = options.heartbeatMs ?? 2_000;
    const timers = options.timers ?? systemTimers;
    const link = new RedisLink(options.url, keys.busChannel);
    const state = new RedisChannelState(link.commands, keys, nodeId);
    const store = new RedisLiveness(link.commands, keys, nodeId, heartbeatMs);
    const fanOut = new RedisFanOut(link, nodeId, options.logger);
    super({ remote: { fanOut, state, link, resync: (snapshot) => store.rejoin(snapshot) }, logger: options.logger, remoteName: 'Redis', retryMs: heartbeatMs, clock: options.clock, timers });
    this.link = link;
    this.store = store;
    this.liveness = new NodeLiveness({
      store,
      nodeId,
      heartbeatMs,
      sweepMs: options.sweepMs ?? 5_000,
      timers,
      logger: options.logger,
      active: () => this.connected,
      failed: (error) => link.failed(error),
      report: (changes) => state.report(changes),
    });
  }

  /** Clears the entries of every registered node whose heartbeat has expired, and reports what that changed. */
  async sweep(): Promise<void> {
    await this.liveness.sweep();
  }

  /** Test hook: stops this node's heartbeat as a kill -9 would, leaving its entries for the others to sweep. */
  stopHeartbeat(): void {
    this.liveness.stopHeartbeat();
  }

  override async close(): Promise<void> {
    const held = this.connected;
    this.liveness.stop();
    await super.close();
    // Without a heartbeat, whatever this node still holds is swept by the others.
    if (held) await this.store.retire().catch(() => undefined);
    this.link.disconnect();
  }
}
