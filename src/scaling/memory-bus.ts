import { randomBytes } from 'node:crypto';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';
import type { Bus, BusMessage, BusSnapshot, CachedEvent, Member, StateChange, MemberAdded } from './bus.js';

const key = (appId: string, channel: string): string => `${appId}\u0000${channel}`;

/** The single-node `Bus`: everything in this process's memory. */
export class MemoryBus implements Bus {
  readonly nodeId = randomBytes(6).toString('hex');
  private readonly handlers: ((message: BusMessage) => void)[] = [];
  private readonly subscriptions = new Map<string, Set<string>>();
  /** channel key → socket id → member */
  private readonly rosters = new Map<string, Map<string, Member>>();
  private readonly cache = new Map<string, { event: CachedEvent; expiresAt: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async publish(message: BusMessage): Promise<void> {
    for (const handler of this.handlers) handler(message);
  }

  /** One node's state never changes behind its back. */
  onStateChange(_handler: (change: StateChange) => void): void {}

  /** Everything this bus holds: the failover bus keeps one as the truth about its own node. */
  snapshot(): BusSnapshot {
    const split = (k: string): [string, string] => {
      const at = k.indexOf('\u0000');
      return [k.slice(0, at), k.slice(at + 1)];
    };
    const subscriptions: BusSnapshot['subscriptions'] = [];
    for (const [k, sockets] of this.subscriptions) for (const socketId of sockets) subscriptions.push([...split(k), socketId]);
    const members: BusSnapshot['members'] = [];
    for (const [k, roster] of this.rosters) for (const [socketId, member] of roster) members.push([...split(k), socketId, member]);
    return { subscriptions, members };
  }

  async join(appId: string, channel: string, socketId: string): Promise<{ count: number; first: boolean }> {
    const k = key(appId, channel);
    let sockets = this.subscriptions.get(k);
    if (!sockets) this.subscriptions.set(k, (sockets = new Set()));
    const first = sockets.size === 0;
    sockets.add(socketId);
    return { count: sockets.size, first };
  }

  async leave(appId: string, channel: string, socketId: string): Promise<{ count: number; last: boolean }> {
    const k = key(appId, channel);
    const sockets = this.subscriptions.get(k);
    if (!sockets || !sockets.delete(socketId)) return { count: sockets?.size ?? 0, last: false };
    if (sockets.size === 0) this.subscriptions.delete(k);
    return { count: sockets.size, last: sockets.size === 0 };
  }

  async subscriptionCount(appId: string, channel: string): Promise<number> {
    return this.subscriptions.get(key(appId, channel))?.size ?? 0;
  }

  async channels(appId: string): Promise<Map<string, number>> {
    const prefix = `${appId}\u0000`;
    const result = new Map<string, number>();
    for (const [k, sockets] of this.subscriptions) {
      if (k.startsWith(prefix)) result.set(k.slice(prefix.length), sockets.size);
    }
    return result;
  }

  async addMember(appId: string, channel: string, socketId: string, member: Member, maxUsers = Number.MAX_SAFE_INTEGER): Promise<MemberAdded> {
    const k = key(appId, channel);
    let roster = this.rosters.get(k);
    if (!roster) this.rosters.set(k, (roster = new Map()));
    const users = new Set([...roster.values()].map((m) => m.user_id));
    const firstForUser = !users.has(member.user_id);
    if (firstForUser && users.size >= maxUsers) return { firstForUser: false, full: true };
    roster.set(socketId, member);
    return { firstForUser };
  }

  async removeMember(appId: string, channel: string, socketId: string): Promise<{ member: Member | undefined; lastForUser: boolean }> {
    const k = key(appId, channel);
    const roster = this.rosters.get(k);
    const member = roster?.get(socketId);
    if (!roster || !member) return { member: undefined, lastForUser: false };
    roster.delete(socketId);
    if (roster.size === 0) this.rosters.delete(k);
    const lastForUser = ![...roster.values()].some((m) => m.user_id === member.user_id);
    return { member, lastForUser };
  }

  async members(appId: string, channel: string): Promise<Member[]> {
    const unique = new Map<string, Member>();
    for (const m of this.rosters.get(key(appId, channel))?.values() ?? []) if (!unique.has(m.user_id)) unique.set(m.user_id, m);
    return [...unique.values()];
  }

  async setCache(appId: string, channel: string, event: CachedEvent, ttlSeconds: number): Promise<void> {
    this.cache.set(key(appId, channel), { event, expiresAt: this.clock.now() + ttlSeconds * 1000 });
  }

  async getCache(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const entry = this.cache.get(key(appId, channel));
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.cache.delete(key(appId, channel));
      return undefined;
    }
    return entry.event;
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
