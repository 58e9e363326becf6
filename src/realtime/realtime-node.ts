import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { MemoryBus } from '../scaling/memory-bus.js';
import { RedisBus } from '../scaling/redis-bus.js';
import { AppRegistry, type RealtimeApp } from './apps.js';
import { realtimeRoutes } from './http-api/realtime-routes.js';
import { WebhookDispatcher } from './http-api/webhooks.js';
import type { ChannelEvent } from './server/channel-manager.js';
import type { Connection, Socket } from './server/connection.js';
import type { HandshakeRequest } from './server/handshake.js';
import { RealtimeServer, type RealtimeServerDeps } from './server/realtime-server.js';
import { clientAddressOf } from './transport/client-address.js';
import { attachWebSockets, type TransportOptions, type WebSocketTransport } from './transport/ws-transport.js';

/** What a realtime node serves: its apps, the one the chat uses, and where the cluster meets. */
export interface RealtimeNodeOptions {
  /** Every app the node accepts connections for (`REVERB_APP_*` and `REVERB_APPS_FILE`). */
  apps: RealtimeApp[];
  /** The app the chat publishes to and signs subscriptions for (`REVERB_APP_ID`). */
  appId: string;
  /** Multi-node: the Redis bus; undefined runs the node alone on an in-memory bus. */
  redis: Config['redis'];
  /** Read client addresses (per-address caps) as Fastify does for HTTP, under the same `TRUST_PROXY`. */
  trustProxy: Config['http']['trustProxy'];
}

/** One Pusher-compatible server: what `parley start` embeds and `parley realtime:start` runs alone. */
export interface RealtimeNode {
  /** The `REVERB_APP_*` app: the one the chat publishes to and signs subscriptions for. */
  readonly app: RealtimeApp;
  /** The ids of every app served. */
  appIds(): string[];
  /** Connections open on this node. */
  connectionCount(): number;
  /** Publishes an event (JSON `data`) on channels of the chat's app, to every node. */
  trigger(channels: string[], event: string, data: string): Promise<void>;
  /** Users in a presence channel of the chat's app, cluster-wide, each counted once. */
  userCount(presenceChannel: string): Promise<number>;
  /** The `user_id`s in a presence channel of the chat's app, cluster-wide, each once. */
  userIds(presenceChannel: string): Promise<string[]>;
  /** Calls `listener` on each channel event of the chat's app (occupied, vacated, members, client events). */
  onChannelEvent(listener: (event: ChannelEvent) => void): void;
  /** Remembers, on whichever node holds `socketId`, that user `by` authorised it within `session`. */
  authorised(socketId: string, by: string, session: string): Promise<void>;
  /** Disconnects every connection `by` authorised, except those authorised only within `exceptSession`, cluster-wide. */
  terminateAuthorisedBy(by: string, exceptSession?: string): Promise<void>;
  /** Closes every connection with 4200 (clients reconnect at once) and serves again, as a restart would. */
  restart(): Promise<void>;
  /** Health checks for `GET /up`: Redis in multi-node mode. */
  checks: Record<string, () => Promise<void>>;
  /** Resolves once the bus is connected (multi-node: Redis holds this node's state), or after five seconds without Redis. */
  ready(): Promise<void>;
  /** The Pusher HTTP API (`/apps/{app_id}/…`) as a Fastify plugin. */
  routes: (app: FastifyInstance) => Promise<void>;
  /** Serves the WebSocket endpoint `/app/{key}` on an HTTP server and starts the heartbeat sweep; `options.ipOf` names a client's address. */
  attach(httpServer: Server, options?: TransportOptions): void;
  /** Closes every connection (4200, clients reconnect) and the bus. */
  close(): Promise<void>;
}

/** Builds the realtime server with its apps and bus; with the logger at `debug`, every frame is logged. */
export function createRealtimeNode(options: RealtimeNodeOptions, logger: Logger): RealtimeNode {
  const log = logger.child({ component: 'realtime' });
  const apps = new AppRegistry(options.apps);
  const app = apps.findById(options.appId);
  if (!app) throw new Error(`The realtime node does not serve the chat's app ${options.appId}`);
  const redisBus = options.redis ? new RedisBus({ url: options.redis.url, keyPrefix: options.redis.prefix, logger: logger.child({ component: 'bus' }) }) : undefined;
  const bus = redisBus ?? new MemoryBus();
  const webhooks = new WebhookDispatcher({ apps, logger: logger.child({ component: 'webhooks' }) });
  const deps: RealtimeServerDeps = { apps, bus, logger: log, listeners: [webhooks.listener] };
  const server = log.isLevelEnabled('debug') ? new FrameLoggingServer(deps) : new RealtimeServer(deps);
  let transport: WebSocketTransport | undefined;

  return {
    app,
    appIds: () => apps.all().map((a) => a.id),
    connectionCount: () => server.connectionCount(),
    trigger: (channels, event, data) => server.trigger(app, channels, event, data),
    userCount: async (channel) => (await bus.members(app.id, channel)).length,
    userIds: async (channel) => (await bus.members(app.id, channel)).map((m) => m.user_id),
    onChannelEvent(listener) {
      server.listen((appId, event) => {
        if (appId === app.id) listener(event);
      });
    },
    authorised: (socketId, by, session) => server.authorised(app, socketId, by, session),
    terminateAuthorisedBy: (by, exceptSession) => server.terminateAuthorisedBy(app, by, exceptSession),
    async restart() {
      await server.stop();
      server.start();
    },
    checks: redisBus
      ? {
          redis: async () => {
            if (!redisBus.connected) throw new Error('Redis is unreachable: this node serves only its own clients');
          },
        }
      : {},
    async ready() {
      if (redisBus && !(await redisBus.ready())) log.warn('Redis is not reachable yet: serving this node\'s clients only, and retrying');
    },
    routes: realtimeRoutes({ server, bus }),
    attach(httpServer, transportOptions) {
      if (transport) throw new Error('The realtime node is already attached to an HTTP server');
      // By default the per-address cap reads the client address as Fastify does for HTTP, under the same TRUST_PROXY.
      transport = attachWebSockets(httpServer, server, log, { ipOf: clientAddressOf(options.trustProxy), ...transportOptions });
      server.start();
    },
    async close() {
      if (transport) await transport.close();
      else await server.stop();
      // After the connections: their channel_vacated and member_removed events are sent too.
      await webhooks.close();
      await bus.close();
    },
  };
}

/** Logs each frame in both directions at `debug` (`--debug`, `LOG_LEVEL=debug`); the plain server costs nothing extra. */
class FrameLoggingServer extends RealtimeServer {
  private readonly log: Logger;

  constructor(deps: RealtimeServerDeps) {
    super(deps);
    this.log = deps.logger;
  }

  override open(socket: Socket, request: HandshakeRequest): Connection | undefined {
    // Known once `open` has made the connection; its first frame (connection_established) carries it anyway.
    const id: { socketId?: string | undefined } = {};
    const logged: Socket = {
      send: (text) => {
        this.log.debug({ socketId: id.socketId, frame: text }, 'frame out');
        socket.send(text);
      },
      close: (code, reason) => {
        this.log.debug({ socketId: id.socketId, code, reason }, 'close');
        socket.close(code, reason);
      },
    };
    const conn = super.open(logged, request);
    id.socketId = conn?.socketId;
    return conn;
  }

  override receive(conn: Connection, text: string): Promise<void> {
    this.log.debug({ socketId: conn.socketId, frame: text }, 'frame in');
    return super.receive(conn, text);
  }
}
