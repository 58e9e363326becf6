import type { Logger } from 'pino';
import { systemClock, type Clock } from '../time/clock.js';
import { systemTimers, type Timers } from '../time/timers.js';
import type { Bus, BusMessage, BusSnapshot, CachedEvent, ChannelState, FanOut, Member, StateChange, MemberAdded } from './bus.js';
import { FailoverSync } from './failover-sync.js';
import { MemoryBus } from './memory-bus.js';
import type { RemoteLink } from './remote-link.js';

/** A cluster-wide bus that can be unreachable: its fan-out, its channel state and the health of its connection. */
export interface FailoverRemote {
  fanOut: FanOut;
  state: ChannelState;
  link: RemoteLink;
  /** Replaces whatever the remote holds for this node with `snapshot`, and reports what that changed for the cluster. */
  resync(snapshot: BusSnapshot): Promise<StateChange[]>;
}

export interface FailoverBusOptions {
  remote: FailoverRemote;
  logger: Logger;
  /** How logs name the remote ("Redis"). */
  remoteName?: string;
  /** How often a resync that could not finish is tried again. */
  retryMs?: number;
  clock?: Clock;
  timers?: Timers;
}

/**
 * A remote bus with this node's own entries also kept in a local `MemoryBus`. While the remote is
 * unreachable the bus keeps serving this node's clients from that copy (answers and deliveries
 * are then local only); once it is back, `FailoverSync` puts the copy back into the remote.
 */
export class FailoverBus implements Bus {
  readonly nodeId: string;
  private readonly remote: FailoverRemote;
  private readonly logger: Logger;
  private readonly tag: string;
  private readonly local: MemoryBus;
  private readonly sync: FailoverSync;
  private readonly handlers: ((message: BusMessage) => void)[] = [];
  private readonly changeHandlers: ((change: StateChange) => void)[] = [];

  constructor(options: FailoverBusOptions) {
    const { remote, logger } = options;
    this.remote = remote;
    this.nodeId = remote.fanOut.nodeId;
    this.logger = logger;
    const remoteName = options.remoteName ?? 'Remote';
    this.tag = `${remoteName.toLowerCase()} bus`;
    const clock = options.clock ?? systemClock;
    this.local = new MemoryBus(clock);
    this.sync = new FailoverSync({
      link: remote.link,
      resync: (snapshot) => remote.resync(snapshot),
      snapshot: () => this.local.snapshot(),
      report: (changes) => this.report(changes),
      logger,
      nodeId: this.nodeId,
      remoteName,
      tag: this.tag,
      retryMs: options.retryMs ?? 2_000,
      clock,
      timers: options.timers ?? systemTimers,
    });
    this.local.onMessage((message) => this.dispatch(message));
    remote.fanOut.onMessage((message) => this.dispatch(message));
    remote.state.onStateChange((change) => this.report([change]));
  }

  /** Whether the remote currently holds this node's state (false during an outage and before the first connection). */
  get connected(): boolean {
    return this.sync.synced;
  }

  /**
   * Resolves true once the remote holds this node's state, or false after `timeoutMs` (the bus then
   * serves this node alone and keeps trying): a starting node waits here before it takes clients.
   */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    return this.sync.ready(timeoutMs);
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  onStateChange(handler: (change: StateChange) => void): void {
    this.changeHandlers.push(handler);
  }

  async publish(message: BusMessage): Promise<void> {
    // Published messages come back through the remote, to this node too; without it, only this node's clients get them.
    if (this.sync.synced) {
      try {
        await this.remote.fanOut.publish(message);
        return;
      } catch (error) {
        this.sync.lost(error);
      }
    }
    await this.local.publish(message);
  }

  async join(appId: string, channel: string, socketId: string): Promise<{ count: number; first: boolean }> {
    return this.either(await this.changed(this.local.join(appId, channel, socketId)), () => this.remote.state.join(appId, channel, socketId));
  }

  async leave(appId: string, channel: string, socketId: string): Promise<{ count: number; last: boolean }> {
    return this.either(await this.changed(this.local.leave(appId, channel, socketId)), () => this.remote.state.leave(appId, channel, socketId));
  }

  async subscriptionCount(appId: string, channel: string): Promise<number> {
    return this.either(await this.local.subscriptionCount(appId, channel), () => this.remote.state.subscriptionCount(appId, channel));
  }

  async channels(appId: string): Promise<Map<string, number>> {
    return this.either(await this.local.channels(appId), () => this.remote.state.channels(appId));
  }

  async addMember(appId: string, channel: string, socketId: string, member: Member, maxUsers?: number): Promise<MemberAdded> {
    const local = await this.changed(this.local.addMember(appId, channel, socketId, member, maxUsers));
    if (local.full) return local;
    const added = await this.either(local, () => this.remote.state.addMember(appId, channel, socketId, member, maxUsers));
    // The cluster's roster is full although this node's is not: the local copy must not keep the refused entry.
    if (added.full) await this.changed(this.local.removeMember(appId, channel, socketId));
    return added;
  }

  async removeMember(appId: string, channel: string, socketId: string): Promise<{ member: Member | undefined; lastForUser: boolean }> {
    return this.either(await this.changed(this.local.removeMember(appId, channel, socketId)), () => this.remote.state.removeMember(appId, channel, socketId));
  }

  async members(appId: string, channel: string): Promise<Member[]> {
    return this.either(await this.local.members(appId, channel), () => this.remote.state.members(appId, channel));
  }

  async setCache(appId: string, channel: string, event: CachedEvent, ttlSeconds: number): Promise<void> {
    await this.local.setCache(appId, channel, event, ttlSeconds);
    await this.either(undefined, () => this.remote.state.setCache(appId, channel, event, ttlSeconds));
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    return this.either(await this.local.getCache(appId, channel), () => this.remote.state.getCache(appId, channel));
  }

  async close(): Promise<void> {
    this.sync.close();
    this.handlers.length = 0;
    this.changeHandlers.length = 0;
    await this.remote.fanOut.close();
    await this.remote.state.close();
  }

  /** The remote's answer while it holds this node's state; the local copy's otherwise, or when the remote fails. */
  private async either<T>(local: T, remote: () => Promise<T>): Promise<T> {
    if (!this.sync.synced) return local;
    try {
      return await remote();
    } catch (error) {
      this.sync.lost(error);
      return local;
    }
  }

  private async changed<T>(result: Promise<T>): Promise<T> {
    this.sync.changed();
    return result;
  }

  private report(changes: StateChange[]): void {
    for (const change of changes) {
      for (const handler of this.changeHandlers) {
        try {
          handler(change);
        } catch (error) {
          this.logger.error({ err: error, change: change.type }, `${this.tag}: state change handler failed`);
        }
      }
    }
  }

  private dispatch(message: BusMessage): void {
    for (const handler of this.handlers) handler(message);
  }
}
