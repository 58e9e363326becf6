import type { RealtimeApp } from '../apps.js';
import type { ChannelKind } from '../channels/channel-kind.js';
import { SERVER_TO_USER_PREFIX } from '../channels/channel-kind.js';
import type { ChannelData, ChannelMember } from '../protocol/channel-data.js';
import { PUSHER_CODES, type PusherCode } from '../protocol/codes.js';

/** What a subscription is decided on: everything read from the frame, the connection and the app, nothing fetched. */
export interface SubscriptionRequest {
  app: RealtimeApp;
  channel: string;
  kind: ChannelKind;
  /** Whether `auth` signs this socket, channel and `channel_data` (only asked of private and presence channels). */
  signed: boolean;
  channelData: ChannelData | undefined;
  /** How many channels the connection holds now, and whether this is one of them. */
  channelCount: number;
  alreadySubscribed: boolean;
  /** The user the connection signed in as, for `#server-to-user-{id}`. */
  userId: string | undefined;
}

export type SubscriptionRefusal = { ok: false; code: PusherCode; message: string };

/**
 * Allowed: `member` is the user the signed `channel_data` named (always set on a presence
 * channel, which still needs room: `Bus.addMember` with `maxPresenceMembers`); the connection's client events there carry its id.
 */
export type SubscriptionDecision = { ok: true; member: ChannelMember | undefined } | SubscriptionRefusal;

const refuse = (code: PusherCode, message: string): SubscriptionRefusal => ({ ok: false, code, message });
const unauthorized = (message: string): SubscriptionRefusal => refuse(PUSHER_CODES.UNAUTHORIZED, message);

/** Decides a `pusher:subscribe`: channel limit first, then who may subscribe to this kind of channel. */
export function decideSubscription(req: SubscriptionRequest): SubscriptionDecision {
  const { app, channel, kind, channelData } = req;
  // Re-subscribing to a channel already held is fine.
  if (req.channelCount >= app.maxChannelsPerConnection && !req.alreadySubscribed) {
    return refuse(PUSHER_CODES.TOO_MANY_CHANNELS, `A connection may subscribe to at most ${app.maxChannelsPerConnection} channels`);
  }
  if (kind.serverToUser) {
    return req.userId !== undefined && channel === `${SERVER_TO_USER_PREFIX}${req.userId}`
      ? { ok: true, member: undefined }
      : unauthorized(`Sign in as this user before subscribing to ${channel}`);
  }
  if (kind.auth === 'none') return { ok: true, member: undefined };
  if (kind.auth === 'presence' && channelData === undefined) return unauthorized(`Presence channel ${channel} needs channel_data`);
  // A private channel's channel_data is optional; when sent, the signature covers it, as for presence.
  if (!req.signed) return unauthorized(`Invalid signature: subscription to ${channel} is not authorised`);
  if (channelData !== undefined && channelData.member === undefined) return unauthorized('channel_data must be JSON with a user_id');
  return { ok: true, member: channelData?.member };
}

/** The refusal of a new user by a presence channel that already holds `maxPresenceMembers` users (the bus decides that atomically). */
export function presenceFull(app: RealtimeApp, channel: string): SubscriptionRefusal {
  return refuse(PUSHER_CODES.SUBSCRIPTION_REJECTED, `Presence channel ${channel} is full (${app.maxPresenceMembers} members)`);
}
