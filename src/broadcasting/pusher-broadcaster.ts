import Pusher from 'pusher';
import type { ChatEvent } from '../chat/events.js';
import type { Config } from '../config/config.js';
import { toBroadcasts, type Broadcaster } from '../chat/broadcaster.js';

/** Pusher's HTTP API takes at most this many channels per trigger. */
export const MAX_CHANNELS_PER_TRIGGER = 100;
/** A slow or unreachable server delays nothing for longer than this; clients catch up by polling. */
const REQUEST_TIMEOUT_MS = 5_000;

/** Where and as whom to publish over the Pusher HTTP API. `host` unset: hosted Pusher's API for `cluster`. */
export interface PusherEndpoint {
  appId: string;
  key: string;
  secret: string;
  cluster: string;
  host: string | undefined;
  port: number | undefined;
  scheme: 'http' | 'https';
}

/**
 * The endpoint for `BROADCAST_DRIVER=pusher` (hosted Pusher, or any Pusher-compatible server at
 * `PUSHER_HOST`) or for `reverb` with `REVERB_SERVER=external`; undefined for the other drivers.
 */
export function pusherEndpoint(config: Config): PusherEndpoint | undefined {
  const { driver, reverb, pusher } = config.broadcast;
  if (driver === 'reverb' && reverb.server === 'external') {
    return { appId: reverb.appId, key: reverb.key, secret: reverb.secret, cluster: 'mt1', host: reverb.host, port: reverb.port, scheme: reverb.scheme };
  }
  if (driver === 'pusher' && pusher.appId !== undefined && pusher.key !== undefined && pusher.secret !== undefined) {
    return { appId: pusher.appId, key: pusher.key, secret: pusher.secret, cluster: pusher.cluster, host: pusher.host, port: pusher.port, scheme: pusher.scheme ?? 'https' };
  }
  return undefined;
}

/** Publishes over the Pusher HTTP API with the official server SDK, as Laravel's pusher and reverb drivers do. */
export class PusherBroadcaster implements Broadcaster {
  private readonly client: Pusher;

  constructor(endpoint: PusherEndpoint) {
    const base = { appId: endpoint.appId, key: endpoint.key, secret: endpoint.secret, useTLS: endpoint.scheme === 'https', timeout: REQUEST_TIMEOUT_MS };
    this.client =
      endpoint.host === undefined
        ? new Pusher({ ...base, cluster: endpoint.cluster })
        : new Pusher({ ...base, host: endpoint.host, ...(endpoint.port === undefined ? {} : { port: String(endpoint.port) }) });
  }

  async publish(event: ChatEvent): Promise<void> {
    for (const b of toBroadcasts(event)) {
      for (let i = 0; i < b.channels.length; i += MAX_CHANNELS_PER_TRIGGER) {
        await this.client.trigger(b.channels.slice(i, i + MAX_CHANNELS_PER_TRIGGER), b.event, b.data);
      }
    }
  }

  async close(): Promise<void> {}
}
