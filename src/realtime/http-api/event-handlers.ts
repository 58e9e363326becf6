import type { RealtimeServer } from '../server/realtime-server.js';
import { channelAttributes, type ChannelAttributes, type ChannelState, type CountAttribute } from './channel-handlers.js';
import type { SignedRequest } from './request-signature.js';
import { batchSchema, checkDataSize, eventSchema, parseInfo, parseInput, parseJsonBody } from './schemas.js';

/** What the API does to connections: publish events, disconnect users. */
export type Publisher = Pick<RealtimeServer, 'trigger' | 'terminateUser'>;

const COUNT_ATTRIBUTES: readonly CountAttribute[] = ['user_count', 'subscription_count'];

/** `POST /apps/{id}/events`: `{}`, or `{channels: {name: counts}}` when `info` asks for counts. */
export async function triggerEvent(
  publisher: Publisher,
  bus: ChannelState,
  { app, body }: SignedRequest,
): Promise<{ channels?: Record<string, ChannelAttributes> }> {
  const event = parseInput(eventSchema, parseJsonBody(body));
  checkDataSize(event.data, 'data');
  const wanted = parseInfo(event.info, COUNT_ATTRIBUTES);
  // `channels` wins when both are given, as in Reverb; duplicates would deliver twice.
  const channels = [...new Set(event.channels ?? (event.channel === undefined ? [] : [event.channel]))];

  await publisher.trigger(app, channels, event.name, event.data, event.socket_id);

  if (wanted.size === 0) return {};
  const attributes: Record<string, ChannelAttributes> = {};
  for (const channel of channels) attributes[channel] = await channelAttributes(bus, app.id, channel, wanted);
  return { channels: attributes };
}

/** `POST /apps/{id}/batch_events`: every event is checked before any is sent; `{batch: [counts…]}` when one asks for `info`. */
export async function triggerBatch(publisher: Publisher, bus: ChannelState, { app, body }: SignedRequest): Promise<{ batch?: ChannelAttributes[] }> {
  const { batch } = parseInput(batchSchema, parseJsonBody(body));
  const wanted = batch.map((event, i) => {
    checkDataSize(event.data, `batch[${i}].data`);
    return parseInfo(event.info, COUNT_ATTRIBUTES, `batch[${i}].info`);
  });

  for (const event of batch) await publisher.trigger(app, [event.channel], event.name, event.data, event.socket_id);

  if (wanted.every((attributes) => attributes.size === 0)) return {};
  const answers: ChannelAttributes[] = [];
  for (const [i, event] of batch.entries()) answers.push(await channelAttributes(bus, app.id, event.channel, wanted[i] ?? new Set()));
  return { batch: answers };
}

/** `POST /apps/{id}/users/{user_id}/terminate_connections`: closes every connection signed in as that user. */
export async function terminateConnections(publisher: Publisher, { app }: SignedRequest, userId: string): Promise<Record<string, never>> {
  await publisher.terminateUser(app, userId);
  return {};
}
