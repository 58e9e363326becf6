import { PUSHER_CODES } from './codes.js';

/**
 * Every Pusher protocol v7 frame, both directions, as discriminated unions on `event`.
 * Raw text is parsed once, here, at the edge; handlers only ever see `ClientFrame`.
 */
export type ClientFrame =
  | { event: 'pusher:ping' }
  | { event: 'pusher:pong' }
  | { event: 'pusher:subscribe'; channel: string; auth: string | undefined; channelData: string | undefined }
  | { event: 'pusher:unsubscribe'; channel: string }
  | { event: 'pusher:signin'; auth: string; userData: string }
  | { event: 'client'; name: string; channel: string; data: unknown };

export type ServerFrame =
  | { event: 'pusher:connection_established'; data: string }
  | { event: 'pusher:error'; data: { code: number | null; message: string } }
  | { event: 'pusher:ping'; data: Record<string, never> }
  | { event: 'pusher:pong'; data: Record<string, never> }
  | { event: 'pusher:signin_success'; data: { user_data: string } }
  | { event: 'pusher:cache_miss'; channel: string }
  | { event: 'pusher:subscription_error'; channel: string; data: { type: string; error: string; status: number } }
  | { event: 'pusher_internal:subscription_succeeded'; channel: string; data: string }
  | { event: 'pusher_internal:member_added'; channel: string; data: string }
  | { event: 'pusher_internal:member_removed'; channel: string; data: string }
  | { event: 'pusher_internal:subscription_count'; channel: string; data: string }
  | { event: string; channel: string; data: string; user_id?: string };

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: number; message: string };

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
      const channelData = typeof data.channel_data === 'string' ? data.channel_data : undefined;
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

/** Builds the frame for an application event; Pusher sends `data` as a string. */
export function eventFrame(event: string, channel: string, data: unknown, userId?: string): ServerFrame {
  const frame: ServerFrame = { event, channel, data: typeof data === 'string' ? data : JSON.stringify(data) };
  if (userId !== undefined) frame.user_id = userId;
  return frame;
}

export function errorFrame(code: number | null, message: string): ServerFrame {
  return { event: 'pusher:error', data: { code, message } };
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
