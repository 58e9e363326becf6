import PusherServer from 'pusher';
import pusherJs, { type Channel, type ChannelAuthorizationHandler, type Options, type UserAuthenticationHandler } from 'pusher-js';
import { TEST_SECRETS } from './harness.js';

/**
 * The pusher-js class. Its node build is CommonJS whose `module.exports` is the class itself, while
 * its types describe an ES `default` export; this names the runtime value with the class's type.
 */
export const Pusher = pusherJs as unknown as typeof pusherJs.default;
export type Pusher = InstanceType<typeof Pusher>;
/** The same value typed as laravel-echo's `Pusher` option expects it. */
export const PusherForEcho = pusherJs;

/** The harness app, as a Laravel app would configure it. */
export const APP = { id: TEST_SECRETS.REVERB_APP_ID, key: TEST_SECRETS.REVERB_APP_KEY, secret: TEST_SECRETS.REVERB_APP_SECRET };
/** End-to-end encryption is between the SDK and pusher-js; the WebSocket server never sees this key. */
export const ENCRYPTION_MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
/** Long enough for a loaded CI machine, short enough that a missing event fails fast. */
export const WAIT_MS = 5_000;

export interface TestUser {
  id: string;
  info?: Record<string, unknown>;
}

/** The Pusher server SDK pointed at a listening Parley: publishes over the HTTP API and signs auth answers. */
export function serverSdk(port: number): PusherServer {
  return new PusherServer({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
    encryptionMasterKeyBase64: ENCRYPTION_MASTER_KEY,
  });
}

/** Answers subscriptions as a Laravel app's `/broadcasting/auth` would, in-process: this suite tests the WebSocket server. */
export function channelAuthorizer(sdk: PusherServer, user?: TestUser): ChannelAuthorizationHandler {
  return ({ socketId, channelName }, callback) => {
    try {
      const presence = channelName.startsWith('presence-');
      if (presence && !user) throw new Error(`no user to join ${channelName} as`);
      const data = presence && user ? { user_id: user.id, user_info: user.info ?? {} } : undefined;
      callback(null, sdk.authorizeChannel(socketId, channelName, data));
    } catch (error) {
      callback(error as Error, null);
    }
  };
}

/** Answers `pusher.signin()` as `/broadcasting/user-auth` would. */
export function userAuthenticator(sdk: PusherServer, user: TestUser): UserAuthenticationHandler {
  return ({ socketId }, callback) => callback(null, sdk.authenticateUser(socketId, { id: user.id, ...user.info }));
}

/** pusher-js options for a plain-WebSocket Parley on 127.0.0.1. */
export function clientOptions(port: number, extra: Partial<Options> = {}): Options {
  return { cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], ...extra };
}

/** Waits for a callback-style event, failing with `label` after `ms` instead of hanging. */
export function waitFor<T>(
  label: string,
  register: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
  ms = WAIT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
    register(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The next time `event` fires on a channel (or on `pusher.user`, or a connection), with its data. */
/** Anything pusher-js lets you bind to: a channel, `pusher.user`, `pusher.connection`. */
export interface Bindable {
  bind(event: string, callback: (data: never) => void): unknown;
  unbind(event: string, callback: (data: never) => void): unknown;
}

export function nextEvent<T = unknown>(
  target: Bindable,
  event: string,
  label = event,
): Promise<T> {
  return waitFor<T>(label, (resolve) => {
    const handler = (data: T) => {
      target.unbind(event, handler);
      resolve(data);
    };
    target.bind(event, handler);
  });
}

/** Resolves once the connection reaches `state` (at once if it is already there). */
export function reachState(pusher: Pusher, state: string): Promise<void> {
  if (pusher.connection.state === state) return Promise.resolve();
  return waitFor(`connection state ${state} (now ${pusher.connection.state})`, (resolve) => {
    const handler = ({ current }: { current: string }) => {
      if (current !== state) return;
      pusher.connection.unbind('state_change', handler);
      resolve(undefined);
    };
    pusher.connection.bind('state_change', handler);
  });
}

/** Subscribes and waits for `pusher:subscription_succeeded` (rejects on `pusher:subscription_error`). */
export function subscribed(pusher: Pusher, name: string): Promise<Channel> {
  const channel = pusher.subscribe(name);
  return waitFor<Channel>(`subscription to ${name}`, (resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', () => resolve(channel));
    channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(`subscription to ${name} refused: ${JSON.stringify(error)}`)));
  });
}

/** Every pusher-js client a test opens, so each test can close its own. */
export class ClientPool {
  private readonly clients: { disconnect(): void }[] = [];

  constructor(private readonly port: number) {}

  /** A pusher-js client (node build, with tweetnacl for encrypted channels); not yet connected. */
  pusher(extra: Partial<Options> = {}, key = APP.key): Pusher {
    const pusher = new Pusher(key, clientOptions(this.port, extra));
    this.clients.push(pusher);
    return pusher;
  }

  /** A pusher-js client that signs its subscriptions for `user`, once connected. */
  async connected(sdk: PusherServer, user?: TestUser, extra: Partial<Options> = {}): Promise<Pusher> {
    const pusher = this.pusher({ channelAuthorization: { customHandler: channelAuthorizer(sdk, user) }, ...extra });
    await reachState(pusher, 'connected');
    return pusher;
  }

  /** Tracks any other client (an Echo instance). */
  track<T extends { disconnect(): void }>(client: T): T {
    this.clients.push(client);
    return client;
  }

  disconnectAll(): void {
    for (const client of this.clients.splice(0)) client.disconnect();
  }
}
