import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createRealtimeNode, type RealtimeNode } from '../realtime/realtime-node.js';
import { configuredApps } from './realtime-apps.js';

/** The realtime node the configuration describes: what `parley start` embeds and `parley realtime:start` runs alone. */
export function realtimeNodeFor(config: Config, logger: Logger): RealtimeNode {
  return createRealtimeNode({ apps: configuredApps(config), appId: config.broadcast.reverb.appId, redis: config.redis, trustProxy: config.http.trustProxy }, logger);
}

/** Whether `parley start` runs the realtime node in-process: `BROADCAST_DRIVER=reverb` with `REVERB_SERVER=embedded`. */
export function embedsRealtime(config: Config): boolean {
  return config.broadcast.driver === 'reverb' && config.broadcast.reverb.server === 'embedded';
}
