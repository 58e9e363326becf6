import { z } from 'zod';
import { CHANNEL_NAME } from '../protocol/frames.js';
import { ApiError } from './api-error.js';

/** Limits of the Pusher HTTP API, as hosted Pusher applies them. */
export const API_LIMITS = {
  /** Channels one event may be published to. */
  channelsPerEvent: 100,
  /** Events in one `batch_events` request. */
  batchEvents: 10,
  /** Bytes of `data` in one event; more is refused with 413. */
  eventDataBytes: 10 * 1024,
  /** Characters of an event name. */
  eventName: 200,
  /** Bytes of a whole request body (a full batch of 10 KB events, with room for the JSON around them). */
  bodyBytes: 256 * 1024,
} as const;

const SOCKET_ID = /^\d+\.\d+$/;

const channelName = z.string({ error: 'must be a channel name (a string)' }).regex(CHANNEL_NAME, {
  error: 'must be 1–164 characters of A–Z, a–z, 0–9 and _ - = @ , . ; (after an optional #)',
});
const eventName = z
  .string({ error: 'is required and must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(API_LIMITS.eventName, { error: `must be at most ${API_LIMITS.eventName} characters` });
const eventData = z.string({ error: 'is required and must be a string (JSON-encode objects first)' });
const socketId = z.string({ error: 'must be a string' }).regex(SOCKET_ID, { error: 'must be a socket id like "123.456"' });
const info = z.string({ error: 'must be a comma-separated string' });

/** `POST /apps/{id}/events`: `channels` or, for one channel, `channel`. */
export const eventSchema = z
  .object({
    name: eventName,
    data: eventData,
    channels: z
      .array(channelName, { error: 'must be an array of channel names' })
      .min(1, { error: 'must name at least one channel' })
      .max(API_LIMITS.channelsPerEvent, { error: `must name at most ${API_LIMITS.channelsPerEvent} channels` })
      .optional(),
    channel: channelName.optional(),
    socket_id: socketId.optional(),
    info: info.optional(),
  })
  .refine((event) => event.channels !== undefined || event.channel !== undefined, {
    error: 'is required: give channels (an array) or channel',
    path: ['channels'],
  });

export type EventInput = z.infer<typeof eventSchema>;

/** One event of `POST /apps/{id}/batch_events`: always one `channel`. */
const batchEventSchema = z.object({
  name: eventName,
  data: eventData,
  channel: channelName,
  socket_id: socketId.optional(),
  info: info.optional(),
});

export type BatchEventInput = z.infer<typeof batchEventSchema>;

export const batchSchema = z.object({
  batch: z
    .array(batchEventSchema, { error: 'is required and must be an array of events' })
    .min(1, { error: 'must hold at least one event' })
    .max(API_LIMITS.batchEvents, { error: `must hold at most ${API_LIMITS.batchEvents} events` }),
});

/** Validates input, or throws a 400 whose message names the first bad field (`batch[2].data: …`). */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? fieldName(issue.path) : '';
  throw new ApiError(400, field ? `${field}: ${issue?.message}` : (issue?.message ?? 'Invalid request'));
}

/** The request body as JSON; an empty body counts as `{}`. */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON');
  }
}

/** Refuses event data over the limit with 413, as Pusher does. */
export function checkDataSize(data: string, field: string): void {
  const bytes = Buffer.byteLength(data);
  if (bytes > API_LIMITS.eventDataBytes) {
    throw new ApiError(413, `${field}: event data is ${bytes} bytes; the limit is ${API_LIMITS.eventDataBytes} bytes (10 KB)`);
  }
}

/** Checks a channel name taken from the path. */
export function checkChannelName(name: string): void {
  if (!CHANNEL_NAME.test(name)) throw new ApiError(400, `channel_name: ${JSON.stringify(name.slice(0, 200))} is not a valid channel name`);
}

/** `info=a,b`: the requested attributes, each one of `allowed`; anything else is a 400 naming it. */
export function parseInfo<A extends string>(value: string | undefined, allowed: readonly A[], field = 'info'): Set<A> {
  const requested = new Set<A>();
  if (value === undefined || value.trim() === '') return requested;
  for (const raw of value.split(',')) {
    const attribute = raw.trim();
    if (attribute === '') continue;
    if (!(allowed as readonly string[]).includes(attribute)) {
      throw new ApiError(400, `${field}: unknown attribute ${JSON.stringify(attribute)}; expected ${allowed.join(', ')}`);
    }
    requested.add(attribute as A);
  }
  return requested;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}
