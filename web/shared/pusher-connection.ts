import PusherImport, { type Options } from 'pusher-js';
import type { ChannelKind, EventsOf } from '../../src/chat/realtime-contract.js';
import type { WidgetConfig } from '../../src/chat/dto.js';

/** The pusher-js class, whichever way the module system hands it over. */
type PusherClass = typeof PusherImport extends new (...args: never) => unknown ? typeof PusherImport : (typeof PusherImport)['default' & keyof typeof PusherImport];
// pusher-js's web build is a webpack bundle whose module object holds the class as `default`.
const Pusher = ((PusherImport as unknown as { default?: PusherClass }).default ?? PusherImport) as PusherClass;

/** A pusher-js client. */
export type PusherClient = InstanceType<PusherClass>;

/** pusher-js connection states. */
export type LinkState = 'initialized' | 'connecting' | 'connected' | 'unavailable' | 'failed' | 'disconnected';

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

/** A handler for every server event of a channel kind: a new event in the contract fails to compile until handled. */
export type EventHandlers<K extends ChannelKind> = { [E in keyof EventsOf<K>]: (data: EventsOf<K>[E]) => void };

/** What `bindEvents` needs of a channel: pusher-js's `bind`, or an adapter over Echo's `listen`. */
export interface Bindable {
  bind(event: string, callback: (data: never) => void): unknown;
}

/** Binds one handler per contract event of channel kind `K`, each handed that event's payload type. */
export function bindEvents<K extends ChannelKind>(channel: Bindable, _kind: K, handlers: EventHandlers<K>): void {
  for (const event of Object.keys(handlers) as (keyof EventsOf<K> & string)[]) channel.bind(event, handlers[event] as (data: never) => void);
}
