import type { Logger } from 'pino';
import type { Bus, Member, StateChange } from '../../scaling/bus.js';
import { channelKind, type ChannelKind } from '../channels/channel-kind.js';
import { PUSHER_CODES } from '../protocol/codes.js';
import {
  appEventFrame,
  encodeFrame,
  errorFrame,
  memberAddedFrame,
  memberRemovedFrame,
  subscriptionCountFrame,
  subscriptionSucceeded,
  type ServerFrame,
  type SubscribeFrame,
} from '../protocol/frames.js';
import { channelAuth, verifyAuth } from '../protocol/signatures.js';
import type { Connection } from './connection.js';
import { decideSubscription, presenceFull, type SubscriptionRefusal } from './subscription-decision.js';

/** What happened on channels, once per cluster: webhooks and the chat's presence watch listen to it. */
export type ChannelEvent =
  | { name: 'channel_occupied'; channel: string }
  | { name: 'channel_vacated'; channel: string }
  | { name: 'member_added'; channel: string; user_id: string; user_info?: unknown }
  | { name: 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: string; socket_id: string; user_id?: string }
  | { name: 'cache_miss'; channel: string };

export type ChannelEventListener = (appId: string, event: ChannelEvent) => void;

/**
 * Subscriptions: authorisation, presence rosters, cache replay and occupancy, with the
 * cluster-wide state in the `Bus` and this node's subscribers in `local`.
 */
export class ChannelManager {
  /** `appId\0channel` → this node's connections subscribed to it. */
  private readonly local = new Map<string, Set<Connection>>();

  constructor(
    private readonly bus: Bus,
    private readonly emit: ChannelEventListener,
    private readonly logger: Logger,
  ) {}

  localSubscribers(appId: string, channel: string): Set<Connection> | undefined {
    return this.local.get(`${appId}\u0000${channel}`);
  }

  /** A `pusher:subscribe`: decided from the frame, the connection and (presence) the roster read once; then joined. */
  async subscribe(conn: Connection, { channel, auth, channelData }: SubscribeFrame): Promise<void> {
    const kind = channelKind(channel);
    const app = conn.app;
    const signed = kind.auth !== 'none' && verifyAuth(channelAuth(app.key, app.secret, conn.socketId, channel, channelData?.text), auth);
    const decision = decideSubscription({
      app,
      channel,
      kind,
      signed,
      channelData,
      channelCount: conn.channels.size,
      alreadySubscribed: conn.channels.has(channel),
      userId: conn.userId,
    });
    if (!decision.ok) return this.refuse(conn, channel, decision);
    const member = decision.member;
    if (kind.auth === 'presence' && member !== undefined) return this.joinPresence(conn, channel, kind, member);
    const joinedCount = await this.join(conn, channel, member?.user_id);
    conn.send(subscriptionSucceeded(channel));
    // The newcomer learns it is subscribed before it hears the channel's new count.
    if (joinedCount !== undefined && app.subscriptionCount && !kind.serverToUser) await this.publish(app.id, channel, subscriptionCountFrame(channel, joinedCount));
    await this.replayCache(conn, channel, kind);
  }

  async unsubscribe(conn: Connection, channel: string): Promise<void> {
    if (!conn.unsubscribe(channel)) return;
    const app = conn.app;
    const key = `${app.id}\u0000${channel}`;
    const set = this.local.get(key);
    set?.delete(conn);
    if (set?.size === 0) this.local.delete(key);
    const kind = channelKind(channel);
    if (kind.auth === 'presence') {
      const { member, lastForUser } = await this.bus.removeMember(app.id, channel, conn.socketId);
      if (member && lastForUser) await this.memberRemoved(app.id, channel, member);
    }
    const { last, count } = await this.bus.leave(app.id, channel, conn.socketId);
    if (last) this.emit(app.id, { name: 'channel_vacated', channel });
    else if (kind.auth !== 'presence' && app.subscriptionCount && !kind.serverToUser) await this.publish(app.id, channel, subscriptionCountFrame(channel, count));
  }

  /** What the bus reports changed without a client here asking (a dead node swept, this node resynchronised). */
  async stateChanged(change: Exclude<StateChange, { type: 'resynced' }>): Promise<void> {
    switch (change.type) {
      case 'occupied':
        return this.emit(change.appId, { name: 'channel_occupied', channel: change.channel });
      case 'vacated':
        return this.emit(change.appId, { name: 'channel_vacated', channel: change.channel });
      case 'member_added':
        return this.memberAdded(change.appId, change.channel, change.member);
      case 'member_removed':
        return this.memberRemoved(change.appId, change.channel, change.member);
    }
  }

  /** Leaves every channel of a closing connection. */
  async leaveAll(conn: Connection): Promise<void> {
    for (const channel of [...conn.channels]) {
      try {
        await this.unsubscribe(conn, channel);
      } catch (error) {
        this.logger.error({ err: error, channel, socketId: conn.socketId }, 'leaving a channel failed');
      }
    }
  }

  private refuse(conn: Connection, channel: string, refusal: SubscriptionRefusal): void {
    conn.send(errorFrame(refusal.code, refusal.message));
    // A full channel or connection refuses an authorised user (403); anything else is a failed authorisation (401).
    const status = refusal.code === PUSHER_CODES.UNAUTHORIZED ? 401 : 403;
    conn.send({ event: 'pusher:subscription_error', channel, data: { type: 'AuthError', error: refusal.message, status } });
  }

  /**
   * Records the subscription on the connection, this node and the bus; answers the channel's new
   * subscription count, or undefined when the connection already held it.
   */
  private async join(conn: Connection, channel: string, user: string | undefined): Promise<number | undefined> {
    if (!conn.subscribe(channel, user)) return undefined;
    const appId = conn.app.id;
    const key = `${appId}\u0000${channel}`;
    let set = this.local.get(key);
    if (!set) this.local.set(key, (set = new Set()));
    set.add(conn);
    const { first, count } = await this.bus.join(appId, channel, conn.socketId);
    if (first) this.emit(appId, { name: 'channel_occupied', channel });
    return count;
  }

  /**
   * Joins a presence channel: the bus admits the user atomically (a full room refuses a new user,
   * so simultaneous joins neither overfill it nor all fail), then the roster is read once, after
   * the join, so it holds everyone whose member_added this connection could not hear.
   */
  private async joinPresence(conn: Connection, channel: string, kind: ChannelKind, member: Member): Promise<void> {
    const app = conn.app;
    const joined = (await this.join(conn, channel, member.user_id)) !== undefined;
    const added = joined ? await this.bus.addMember(app.id, channel, conn.socketId, member, app.maxPresenceMembers) : { firstForUser: false };
    if (added.full) {
      await this.unsubscribe(conn, channel);
      return this.refuse(conn, channel, presenceFull(app, channel));
    }
    conn.send(subscriptionSucceeded(channel, await this.bus.members(app.id, channel)));
    if (added.firstForUser) await this.memberAdded(app.id, channel, member, conn.socketId);
    await this.replayCache(conn, channel, kind);
  }

  private async replayCache(conn: Connection, channel: string, kind: ChannelKind): Promise<void> {
    if (!kind.cache) return;
    const cached = await this.bus.getCache(conn.app.id, channel);
    if (cached) conn.send(appEventFrame(cached.event, channel, cached.data));
    else {
      conn.send({ event: 'pusher:cache_miss', channel });
      this.emit(conn.app.id, { name: 'cache_miss', channel });
    }
  }

  /** A user's first connection to a presence channel, cluster-wide: everyone else hears `member_added`. */
  private async memberAdded(appId: string, channel: string, member: Member, except?: string): Promise<void> {
    await this.publish(appId, channel, memberAddedFrame(channel, member), except);
    this.emit(appId, { name: 'member_added', channel, user_id: member.user_id, user_info: member.user_info });
  }

  /** A user's last connection left a presence channel, cluster-wide. */
  private async memberRemoved(appId: string, channel: string, member: Member): Promise<void> {
    await this.publish(appId, channel, memberRemovedFrame(channel, member.user_id));
    this.emit(appId, { name: 'member_removed', channel, user_id: member.user_id });
  }

  private async publish(appId: string, channel: string, frame: ServerFrame, except?: string): Promise<void> {
    await this.bus.publish({ type: 'channel', appId, channel, except, frame: encodeFrame(frame) });
  }
}
