import type { Logger } from 'pino';
import type { Bus, Member, StateChange } from '../../scaling/bus.js';
import { channelKind, SERVER_TO_USER_PREFIX } from '../channels/channel-kind.js';
import { PUSHER_CODES } from '../protocol/codes.js';
import { encodeFrame, errorFrame, eventFrame } from '../protocol/frames.js';
import { channelAuth, verifyAuth } from '../protocol/signatures.js';
import type { Connection } from './connection.js';

/** What happened on channels, once per cluster: webhooks and the chat's presence watch listen to it. */
export type ChannelEvent =
  | { name: 'channel_occupied'; channel: string }
  | { name: 'channel_vacated'; channel: string }
  | { name: 'member_added'; channel: string; user_id: string; user_info?: unknown }
  | { name: 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: string; socket_id: string; user_id?: string }
  | { name: 'cache_miss'; channel: string };

export type ChannelEventListener = (appId: string, event: ChannelEvent) => void;

type Refusal = { code: number; message: string };

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

  async subscribe(conn: Connection, channel: string, auth: string | undefined, channelData: string | undefined): Promise<void> {
    const refusal = this.overChannelLimit(conn, channel) ?? (await this.authorize(conn, channel, auth, channelData));
    if (refusal) {
      conn.send(errorFrame(refusal.code, refusal.message));
      // A full channel or connection refuses an authorised user (403); anything else is a failed authorisation (401).
      const status = refusal.code === PUSHER_CODES.UNAUTHORIZED ? 401 : 403;
      conn.send({ event: 'pusher:subscription_error', channel, data: { type: 'AuthError', error: refusal.message, status } });
      return;
    }
    const kind = channelKind(channel);
    const app = conn.app;
    const already = conn.channels.has(channel);
    let joinedCount: number | undefined;
    if (!already) {
      conn.channels.add(channel);
      const key = `${app.id}\u0000${channel}`;
      let set = this.local.get(key);
      if (!set) this.local.set(key, (set = new Set()));
      set.add(conn);
      const { first, count } = await this.bus.join(app.id, channel, conn.socketId);
      if (first) this.emit(app.id, { name: 'channel_occupied', channel });
      joinedCount = count;
    }

    // A private channel signed with channel_data: its user_id is stamped on this connection's client events.
    const signedUser = kind.auth === 'private' && channelData !== undefined ? parseMember(channelData) : undefined;
    if (signedUser) conn.channelUser.set(channel, signedUser.user_id);

    if (kind.auth === 'presence') {
      const member = parseMember(channelData) as Member;
      conn.channelUser.set(channel, member.user_id);
      const { firstForUser } = already ? { firstForUser: false } : await this.bus.addMember(app.id, channel, conn.socketId, member);
      const members = await this.bus.members(app.id, channel);
      const hash = Object.fromEntries(members.map((m) => [m.user_id, m.user_info ?? null]));
      conn.send({
        event: 'pusher_internal:subscription_succeeded',
        channel,
        data: JSON.stringify({ presence: { ids: members.map((m) => m.user_id), hash, count: members.length } }),
      });
      if (firstForUser) await this.memberAdded(app.id, channel, member, conn.socketId);
    } else {
      conn.send({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
      // The newcomer learns it is subscribed before it hears the channel's new count.
      if (joinedCount !== undefined && app.subscriptionCount && !kind.serverToUser) await this.publishCount(app.id, channel, joinedCount);
    }

    if (kind.cache) {
      const cached = await this.bus.getCache(app.id, channel);
      if (cached) conn.send(eventFrame(cached.event, channel, cached.data));
      else {
        conn.send({ event: 'pusher:cache_miss', channel });
        this.emit(app.id, { name: 'cache_miss', channel });
      }
    }
  }

  async unsubscribe(conn: Connection, channel: string): Promise<void> {
    if (!conn.channels.delete(channel)) return;
    conn.channelUser.delete(channel);
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
    else if (kind.auth !== 'presence' && app.subscriptionCount && !kind.serverToUser) await this.publishCount(app.id, channel, count);
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

  /** A user's first connection to a presence channel, cluster-wide: everyone else hears `member_added`. */
  private async memberAdded(appId: string, channel: string, member: Member, except?: string): Promise<void> {
    const data = JSON.stringify({ user_id: member.user_id, user_info: member.user_info });
    await this.bus.publish({ type: 'channel', appId, channel, except, frame: encodeFrame({ event: 'pusher_internal:member_added', channel, data }) });
    this.emit(appId, { name: 'member_added', channel, user_id: member.user_id, user_info: member.user_info });
  }

  /** A user's last connection left a presence channel, cluster-wide. */
  private async memberRemoved(appId: string, channel: string, member: Member): Promise<void> {
    const data = JSON.stringify({ user_id: member.user_id });
    await this.bus.publish({ type: 'channel', appId, channel, frame: encodeFrame({ event: 'pusher_internal:member_removed', channel, data }) });
    this.emit(appId, { name: 'member_removed', channel, user_id: member.user_id });
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

  /** A new channel beyond the app's `maxChannelsPerConnection` (re-subscribing to a channel already held is fine). */
  private overChannelLimit(conn: Connection, channel: string): Refusal | undefined {
    const limit = conn.app.maxChannelsPerConnection;
    if (conn.channels.size < limit || conn.channels.has(channel)) return undefined;
    return { code: PUSHER_CODES.TOO_MANY_CHANNELS, message: `A connection may subscribe to at most ${limit} channels` };
  }

  private async authorize(conn: Connection, channel: string, auth: string | undefined, channelData: string | undefined): Promise<Refusal | undefined> {
    const kind = channelKind(channel);
    const app = conn.app;
    if (kind.serverToUser) {
      return conn.userId !== undefined && channel === `${SERVER_TO_USER_PREFIX}${conn.userId}`
        ? undefined
        : { code: PUSHER_CODES.UNAUTHORIZED, message: `Sign in as this user before subscribing to ${channel}` };
    }
    if (kind.auth === 'none') return undefined;
    if (kind.auth === 'presence' && channelData === undefined) return { code: PUSHER_CODES.UNAUTHORIZED, message: `Presence channel ${channel} needs channel_data` };
    // A private channel's channel_data is optional; when sent, the signature covers it, as for presence.
    if (!verifyAuth(channelAuth(app.key, app.secret, conn.socketId, channel, channelData), auth)) {
      return { code: PUSHER_CODES.UNAUTHORIZED, message: `Invalid signature: subscription to ${channel} is not authorised` };
    }
    if (kind.auth !== 'presence') {
      if (channelData !== undefined && !parseMember(channelData)) return { code: PUSHER_CODES.UNAUTHORIZED, message: 'channel_data must be JSON with a user_id' };
      return undefined;
    }
    const member = parseMember(channelData);
    if (!member) return { code: PUSHER_CODES.UNAUTHORIZED, message: 'channel_data must be JSON with a user_id' };
    const members = await this.bus.members(app.id, channel);
    if (members.length >= app.maxPresenceMembers && !members.some((m) => m.user_id === member.user_id)) {
      return { code: PUSHER_CODES.SUBSCRIPTION_REJECTED, message: `Presence channel ${channel} is full (${app.maxPresenceMembers} members)` };
    }
    return undefined;
  }

  private async publishCount(appId: string, channel: string, count: number): Promise<void> {
    const frame = encodeFrame({ event: 'pusher_internal:subscription_count', channel, data: JSON.stringify({ subscription_count: count }) });
    await this.bus.publish({ type: 'channel', appId, channel, frame });
  }
}

/** `channel_data` of a presence subscription: `{"user_id": …, "user_info": …}`; ids may be numbers on the wire. */
export function parseMember(channelData: string | undefined): Member | undefined {
  if (channelData === undefined) return undefined;
  try {
    const parsed = JSON.parse(channelData) as { user_id?: unknown; user_info?: unknown };
    const id = parsed.user_id;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') return undefined;
    return parsed.user_info === undefined ? { user_id: String(id) } : { user_id: String(id), user_info: parsed.user_info };
  } catch {
    return undefined;
  }
}
