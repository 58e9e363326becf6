import PusherImport, { type Options } from 'pusher-js';
import type { WidgetConfig } from '../../src/chat/dto.js';

/** The pusher-js class, whichever way the module system hands it over. */
type PusherClass = typeof PusherImport extends new (...args: never) => unknown ? typeof PusherImport : (typeof PusherImport)['default' & keyof typeof PusherImport];
// pusher-js's web build is a webpack bundle whose module object holds the class as `default`.
const Pusher = ((PusherImport as unknown as { default?: PusherClass }).default ?? PusherImport) as PusherClass;

/** A pusher-js client. */
export type PusherClient = InstanceType<PusherClass>;

/** The settings of `GET /api/chat/config` a connection needs. */
export type PusherSettings = Pick<WidgetConfig, 'key' | 'cluster' | 'wsHost' | 'wsPort' | 'wssPort' | 'forceTLS'>;

/** Where private channels are authorised, and the headers to send (the widget's visitor token; none for the dashboard's cookie). */
export interface ChannelAuth {
  endpoint: string;
  headers?: () => Record<string, string>;
}

/** pusher-js options for Parley's realtime server or hosted Pusher: WebSocket only, authorised at `auth.endpoint`. */
export function pusherOptions(settings: PusherSettings, auth: ChannelAuth): Options {
  return {
    cluster: settings.cluster ?? '',
    wsHost: settings.wsHost ?? undefined,
    wsPort: settings.wsPort ?? undefined,
    wssPort: settings.wssPort ?? undefined,
    forceTLS: settings.forceTLS,
    enabledTransports: ['ws', 'wss'],
    channelAuthorization: { endpoint: auth.endpoint, transport: 'ajax', ...(auth.headers ? { headersProvider: auth.headers } : {}) },
  };
}

/** Opens a pusher-js connection; `debug` receives pusher-js's own log lines. */
export function connectPusher(settings: PusherSettings, auth: ChannelAuth, debug?: (...args: unknown[]) => void): PusherClient {
  if (debug) Pusher.log = (message: string) => debug('pusher:', message);
  return new Pusher(settings.key ?? '', pusherOptions(settings, auth));
}
