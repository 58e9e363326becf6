import { parseChannelData, type ChannelData, type ChannelMember } from './channel-data.js';
import { PUSHER_CODES, type PusherCode } from './codes.js';

/**
 * Every Pusher protocol v7 frame, both directions, as discriminated unions on `event`.
 * Raw text is parsed once, here, at the edge; handlers only ever see `ClientFrame`.
 */
export type ClientFrame =
  | { event: 'pusher:ping' }
  | { event: 'pusher:pong' }
  | SubscribeFrame
  | { event: 'pusher:unsubscribe'; channel: string }
  | { event: 'pusher:signin'; auth: string; userData: string }
  | { event: 'client'; name: string; channel: string; data: unknown };

export interface SubscribeFrame {
  event: 'pusher:subscribe';
  channel: string;
  auth: string | undefined;
  channelData: ChannelData | undefined;
}

declare const appEventBrand: unique symbol;

/**
 * An application event (HTTP API, the chat) or a client event as a channel's subscribers receive
 * it. Only `appEventFrame` makes one, so every other server frame is one of the named variants.
 */
export type AppEventFrame = { event: string; channel: string; data: string; user_id?: string } & { readonly [appEventBrand]: true };

/** The closed set of frames the server sends. */
export type ServerFrame =
  | { event: 'pusher:connection_established'; data: string }
  | { event: 'pusher:error'; data: { code: PusherCode; message: string } }
  | { event: 'pusher:ping'; data: Record<string, never> }
  | { event: 'pusher:pong'; data: Record<string, never> }
  | { event: 'pusher:signin_success'; data: { user_data: string } }
  | { event: 'pusher:cache_miss'; channel: string }
  | { event: 'pusher:subscription_error'; channel: string; data: { type: 'AuthError'; error: string; status: 401 | 403 } }
  | { event: 'pusher_internal:subscription_succeeded'; channel: string; data: string }
  | { event: 'pusher_internal:member_added'; channel: string; data: string }
  | { event: 'pusher_internal:member_removed'; channel: string; data: string }
  | { event: 'pusher_internal:subscription_count'; channel: string; data: string }
  | AppEventFrame;

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: PusherCode; message: string };

const invalid = (message: string): ParseResult => ({ ok: false, code: PUSHER_CODES.INVALID_MESSAGE, message });

/** Channel names allowed by Pusher: letters, digits and `_-=@,.;`, at most 164 characters (plus `#` for server-to-user). */
export const CHANNEL_NAME = /^#?[A-Za-z0-9_\-=@,.;]{1,164}$/;

/** Parses one text frame from a client. Never throws: anything unusable is a tagged error. */
export function parseClientFrame(raw: string): ParseResult {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return invalid('Invalid JSON');
  }
  if (!isObject(message) || typeof message.event !== 'string') return invalid('A frame must be a JSON object with a string "event"');
  const event = message.event;
  const data = decodeData(message.data);

  switch (event) {
    case 'pusher:ping':
      return { ok: true, frame: { event } };
    case 'pusher:pong':
      return { ok: true, frame: { event } };
    case 'pusher:subscribe': {
      if (!isObject(data) || typeof data.channel !== 'string') return invalid('pusher:subscribe needs data.channel');
      if (!CHANNEL_NAME.test(data.channel)) return invalid(`Invalid channel name: ${data.channel.slice(0, 200)}`);
      const auth = typeof data.auth === 'string' ? data.auth : undefined;
      const channelData = typeof data.channel_data === 'string' ? parseChannelData(data.channel_data) : undefined;
      return { ok: true, frame: { event, channel: data.channel, auth, channelData } };
    }
    case 'pusher:unsubscribe':
      if (!isObject(data) || typeof data.channel !== 'string') return invalid('pusher:unsubscribe needs data.channel');
      return { ok: true, frame: { event, channel: data.channel } };
    case 'pusher:signin':
      if (!isObject(data) || typeof data.auth !== 'string' || typeof data.user_data !== 'string') {
        return invalid('pusher:signin needs data.auth and data.user_data strings');
      }
      return { ok: true, frame: { event, auth: data.auth, userData: data.user_data } };
    default:
      if (event.startsWith('client-')) {
        if (typeof message.channel !== 'string') return invalid('A client event needs a channel');
        return { ok: true, frame: { event: 'client', name: event, channel: message.channel, data: message.data } };
      }
      return invalid(`Unsupported event: ${event.slice(0, 100)}`);
  }
}

/** Serialises a frame for the wire. */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** The one builder of application and client event frames; Pusher sends `data` as a string. */
export function appEventFrame(event: string, channel: string, data: string, userId?: string): AppEventFrame {
  const frame = { event, channel, data } as AppEventFrame;
  if (userId !== undefined) frame.user_id = userId;
  return frame;
}

export function errorFrame(code: PusherCode, message: string): ServerFrame {
  return { event: 'pusher:error', data: { code, message } };
}

/** The first frame of an accepted connection. */
export function connectionEstablished(socketId: string, activityTimeout: number): ServerFrame {
  return { event: 'pusher:connection_established', data: JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeout }) };
}

/** Confirms a subscription; a presence channel's carries its roster, one entry per user. */
export function subscriptionSucceeded(channel: string, roster?: readonly ChannelMember[]): ServerFrame {
  if (roster === undefined) return { event: 'pusher_internal:subscription_succeeded', channel, data: '{}' };
  const hash = Object.fromEntries(roster.map((m) => [m.user_id, m.user_info ?? null]));
  const presence = { ids: roster.map((m) => m.user_id), hash, count: roster.length };
  return { event: 'pusher_internal:subscription_succeeded', channel, data: JSON.stringify({ presence }) };
}

export function memberAddedFrame(channel: string, member: ChannelMember): ServerFrame {
  return { event: 'pusher_internal:member_added', channel, data: JSON.stringify({ user_id: member.user_id, user_info: member.user_info }) };
}

export function memberRemovedFrame(channel: string, userId: string): ServerFrame {
  return { event: 'pusher_internal:member_removed', channel, data: JSON.stringify({ user_id: userId }) };
}

export function subscriptionCountFrame(channel: string, count: number): ServerFrame {
  return { event: 'pusher_internal:subscription_count', channel, data: JSON.stringify({ subscription_count: count }) };
}

function decodeData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
