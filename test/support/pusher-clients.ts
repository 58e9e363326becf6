import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import PusherJsModule, { type Channel, type ChannelAuthorizationHandler, type Options } from 'pusher-js';

/** pusher-js is CommonJS whose types declare an ES default export; at run time the module itself is the class. */
const PusherJsClass = PusherJsModule as unknown as typeof PusherJsModule.default;
type PusherJs = InstanceType<typeof PusherJsClass>;

/** How long a test waits for something that should happen at once before it fails. */
export const WAIT_MS = 5_000;

/**
 * Resolves when `register` calls its `resolve`, or rejects after `ms` naming what was awaited.
 * `register` may return a clean-up function (to unbind its listener).
 */
export function waitFor<T>(
  label: string,
  register: (resolve: (value: T) => void, reject: (error: Error) => void) => (() => void) | void,
  ms = WAIT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: (() => void) | void = undefined;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cleanup?.();
      settle();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`Timed out after ${ms} ms waiting for ${label}`))), ms);
    cleanup = register(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
    if (settled) cleanup?.();
  });
}

/** A pusher-js client (Node build) with the events it has received on each channel. */
export interface TestClient {
  pusher: PusherJs;
  socketId: string;
  /** `[channel, event, data]` in arrival order, for every channel this client subscribed through `subscribe`. */
  received: { channel: string; event: string; data: unknown }[];
  subscribe(channelName: string): Promise<Channel>;
  /** The next `event` on `channelName` (already subscribed). */
  nextEvent<T = unknown>(channelName: string, event: string, ms?: number): Promise<T>;
  /** Resolves once the connection reaches `state` (`disconnected`, `unavailable`, …). */
  reaches(state: string, ms?: number): Promise<void>;
}

/** Opens pusher-js clients against a local Parley and closes them all at the end of a test. */
export class PusherClients {
  private readonly open: PusherJs[] = [];

  constructor(private readonly server: { port: number; key: string }) {}

  /** Connects a client and waits for `pusher:connection_established`. */
  async connect(options: Partial<Options> = {}): Promise<TestClient> {
    const pusher = new PusherJsClass(this.server.key, {
      cluster: 'mt1',
      wsHost: '127.0.0.1',
      wsPort: this.server.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      ...options,
    });
    this.open.push(pusher);
    const received: TestClient['received'] = [];
    const client: TestClient = {
      pusher,
      socketId: '',
      received,
      subscribe: (channelName) =>
        waitFor(`subscription to ${channelName}`, (resolve, reject) => {
          const channel = pusher.subscribe(channelName);
          channel.bind_global((event: string, data: unknown) => {
            if (!event.startsWith('pusher:')) received.push({ channel: channelName, event, data });
          });
          const ok = () => resolve(channel);
          const failed = (status: unknown) => reject(new Error(`subscription to ${channelName} failed: ${JSON.stringify(status)}`));
          channel.bind('pusher:subscription_succeeded', ok);
          channel.bind('pusher:subscription_error', failed);
          return () => {
            channel.unbind('pusher:subscription_succeeded', ok);
            channel.unbind('pusher:subscription_error', failed);
          };
        }),
      nextEvent: <T>(channelName: string, event: string, ms?: number) =>
        waitFor<T>(
          `${event} on ${channelName}`,
          (resolve) => {
            const channel = pusher.channel(channelName);
            if (!channel) throw new Error(`not subscribed to ${channelName}`);
            const handler = (data: T) => resolve(data);
            channel.bind(event, handler);
            return () => channel.unbind(event, handler);
          },
          ms,
        ),
      reaches: (state, ms) =>
        waitFor<void>(
          `connection state ${state}`,
          (resolve) => {
            if (pusher.connection.state === state) return resolve();
            const handler = (change: { current: string }) => {
              if (change.current === state) resolve();
            };
            pusher.connection.bind('state_change', handler);
            return () => pusher.connection.unbind('state_change', handler);
          },
          ms,
        ),
    };
    await client.reaches('connected');
    client.socketId = pusher.connection.socket_id;
    return client;
  }

  /** Disconnects every client this helper opened. */
  closeAll(): void {
    for (const pusher of this.open.splice(0)) pusher.disconnect();
  }
}

/**
 * The dashboard's channel authorisation: `/broadcasting/auth` with the agent's session cookie
 * (posted with fetch, as Node's XMLHttpRequest cannot set a Cookie header).
 */
export function cookieAuthorizer(authBase: string, cookie: string): ChannelAuthorizationHandler {
  return ({ socketId, channelName }, callback) => {
    fetch(`${authBase}/broadcasting/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ socket_id: socketId, channel_name: channelName }).toString(),
    }).then(
      async (res) => (res.ok ? callback(null, (await res.json()) as { auth: string }) : callback(new Error(`auth answered ${res.status}`), null)),
      (error: Error) => callback(error, null),
    );
  };
}

/** A Parley with the embedded realtime server listening on a free port, and pusher-js clients for it. */
export interface ListeningParley {
  h: Harness;
  port: number;
  clients: PusherClients;
}

/** Starts the harness on SQLite with the configured (embedded) broadcaster and listens on 127.0.0.1. */
export async function listeningParley(): Promise<ListeningParley> {
  const h = await startHarness('sqlite', {}, { broadcast: 'configured' });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (h.app.server.address() as AddressInfo).port;
  return { h, port, clients: new PusherClients({ port, key: h.config.broadcast.reverb.key }) };
}

/** An agent's login: its cookie, CSRF token and the headers that carry them. */
export type AgentLogin = Awaited<ReturnType<Harness['loginAs']>>;

/** A `ListeningParley` with the admin logged in, and dashboard clients for any agent. */
export interface ListeningParleyWithAdmin extends ListeningParley {
  admin: AgentLogin;
  /** `http://127.0.0.1:PORT` */
  base(): string;
  /** A pusher-js client authorised the dashboard's way, with `session`'s cookie. */
  agentClient(session: AgentLogin): Promise<TestClient>;
}

/** Starts a `listeningParley` and logs the admin in before each test; closes clients and Parley afterwards. */
export function useListeningParley(): ListeningParleyWithAdmin {
  const p = {
    base: () => `http://127.0.0.1:${p.port}`,
    agentClient: (session) => p.clients.connect({ channelAuthorization: { customHandler: cookieAuthorizer(p.base(), session.cookie) } }),
  } as ListeningParleyWithAdmin;
  beforeEach(async () => {
    Object.assign(p, await listeningParley());
    p.admin = await p.h.loginAs();
  });
  afterEach(async () => {
    p.clients?.closeAll();
    await p.h?.close();
  });
  return p;
}
