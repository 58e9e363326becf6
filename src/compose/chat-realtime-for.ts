import type { Logger } from 'pino';
import { EmbeddedRealtime } from '../broadcasting/embedded-realtime.js';
import { LogBroadcaster } from '../broadcasting/log-broadcaster.js';
import { NullBroadcaster } from '../broadcasting/null-broadcaster.js';
import { PusherBroadcaster, pusherEndpoint } from '../broadcasting/pusher-broadcaster.js';
import { PusherHttpRealtime } from '../broadcasting/pusher-http-realtime.js';
import type { Broadcaster } from '../chat/broadcaster.js';
import type { ChannelSigning, ChatRealtime } from '../chat/chat-realtime.js';
import type { Config } from '../config/config.js';
import type { RealtimeNode } from '../realtime/realtime-node.js';
import type { Clock } from '../time/clock.js';

/** What the realtime service is built from besides the configuration. */
export interface ChatRealtimeParts {
  /** The embedded node, when `parley start` runs one. */
  node: RealtimeNode | undefined;
  /** Without a roster: the ids of active agents seen since a time. */
  agentsSeenSince(since: number): Promise<number[]>;
  clock: Clock;
  logger: Logger;
}

/** The chat's realtime service: the embedded node when there is one, else a server behind the Pusher HTTP API, a log, or nothing. */
export function chatRealtimeFor(config: Config, parts: ChatRealtimeParts): ChatRealtime {
  if (parts.node) return new EmbeddedRealtime(parts.node, parts.logger.child({ component: 'availability' }));
  const { driver } = config.broadcast;
  return new PusherHttpRealtime({
    broadcaster: remoteBroadcaster(config, parts.logger),
    signing: signingApp(config),
    reachable: driver === 'reverb' || driver === 'pusher',
    agentsSeenSince: (since) => parts.agentsSeenSince(since),
    clock: parts.clock,
  });
}

/** `PUSHER_APP_*` when broadcasting through Pusher, otherwise the `REVERB_APP_*` app (embedded or external). */
export function signingApp(config: Pick<Config, 'broadcast'>): ChannelSigning {
  const { driver, pusher, reverb } = config.broadcast;
  if (driver === 'pusher' && pusher.key !== undefined && pusher.secret !== undefined) return { key: pusher.key, secret: pusher.secret, signsSender: false };
  return { key: reverb.key, secret: reverb.secret, signsSender: true };
}

function remoteBroadcaster(config: Config, logger: Logger): Broadcaster {
  switch (config.broadcast.driver) {
    case 'log':
      return new LogBroadcaster(logger.child({ component: 'broadcast' }));
    case 'null':
      return new NullBroadcaster();
    case 'reverb':
    case 'pusher': {
      // External Reverb/Parley and hosted Pusher: the Pusher HTTP API (credentials are checked by loadConfig).
      const endpoint = pusherEndpoint(config);
      if (!endpoint) throw new Error(`No Pusher HTTP endpoint for BROADCAST_DRIVER=${config.broadcast.driver}`);
      return new PusherBroadcaster(endpoint);
    }
  }
}
