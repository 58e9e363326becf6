import type { Bus } from '../../scaling/bus.js';
import { channelKind } from '../channels/channel-kind.js';
import { ApiError } from './api-error.js';
import { checkChannelName, parseInfo } from './schemas.js';
import type { SignedRequest } from './request-signature.js';

/** The cluster-wide channel state the API reads. */
export type ChannelState = Pick<Bus, 'channels' | 'subscriptionCount' | 'members' | 'getCache'>;

export type CountAttribute = 'user_count' | 'subscription_count';

export interface ChannelAttributes {
  user_count?: number;
  subscription_count?: number;
}

/** The requested counts of one channel; `user_count` only exists for presence channels. */
export async function channelAttributes(bus: ChannelState, appId: string, channel: string, wanted: Set<CountAttribute>): Promise<ChannelAttributes> {
  const attributes: ChannelAttributes = {};
  if (wanted.has('user_count') && channelKind(channel).auth === 'presence') attributes.user_count = (await bus.members(appId, channel)).length;
  if (wanted.has('subscription_count')) attributes.subscription_count = await bus.subscriptionCount(appId, channel);
  return attributes;
}

/** `GET /apps/{id}/channels`: occupied channels, optionally by prefix, with the requested counts. */
export async function listChannels(bus: ChannelState, { app, query }: SignedRequest): Promise<{ channels: Record<string, ChannelAttributes> }> {
  const prefix = query.filter_by_prefix ?? '';
  const wanted = parseInfo<CountAttribute>(query.info, ['user_count', 'subscription_count']);
  if (wanted.has('user_count') && !prefix.startsWith('presence-')) {
    throw new ApiError(400, 'info: user_count is only available for presence channels; add filter_by_prefix=presence-');
  }
  const channels: Record<string, ChannelAttributes> = {};
  for (const [name, count] of await bus.channels(app.id)) {
    if (count === 0 || !name.startsWith(prefix)) continue;
    channels[name] = await channelAttributes(bus, app.id, name, wanted);
  }
  return { channels };
}

export interface ChannelInfo extends ChannelAttributes {
  occupied: boolean;
  /** A cache channel's cached event, while it has one. */
  cache?: { event: string; data: string };
}

/** `GET /apps/{id}/channels/{name}`: whether it is occupied, the requested counts, and a cache channel's cached event. */
export async function channelInfo(bus: ChannelState, { app, query }: SignedRequest, channel: string): Promise<ChannelInfo> {
  checkChannelName(channel);
  const kind = channelKind(channel);
  const wanted = parseInfo<CountAttribute | 'cache'>(query.info, ['user_count', 'subscription_count', 'cache']);
  if (wanted.has('user_count') && kind.auth !== 'presence') throw new ApiError(400, `info: user_count is only available for presence channels, not ${channel}`);
  if (wanted.has('cache') && !kind.cache) throw new ApiError(400, `info: cache is only available for cache channels, not ${channel}`);

  const count = await bus.subscriptionCount(app.id, channel);
  const info: ChannelInfo = { occupied: count > 0 };
  if (wanted.has('user_count')) info.user_count = (await bus.members(app.id, channel)).length;
  if (wanted.has('subscription_count')) info.subscription_count = count;
  if (kind.cache) {
    const cached = await bus.getCache(app.id, channel);
    if (cached) info.cache = { event: cached.event, data: cached.data };
  }
  return info;
}

/** `GET /apps/{id}/channels/{name}/users`: the users of a presence channel, one entry per user. */
export async function channelUsers(bus: ChannelState, { app }: SignedRequest, channel: string): Promise<{ users: { id: string }[] }> {
  checkChannelName(channel);
  if (channelKind(channel).auth !== 'presence') throw new ApiError(400, `channel_name: users are only available for presence channels, not ${channel}`);
  const members = await bus.members(app.id, channel);
  return { users: members.map((member) => ({ id: member.user_id })) };
}
