import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Bus } from '../scaling/bus.js';
import { MemoryBus } from '../scaling/memory-bus.js';
import { RedisBus } from '../scaling/redis-bus.js';
import { opsRoutes } from '../ops/ops-routes.js';
import { createHttpServer } from '../http/server-options.js';
import { AppRegistry, type RealtimeApp } from './apps.js';
import { configuredApps } from './default-apps.js';
import { realtimeRoutes } from './http-api/realtime-routes.js';
import { WebhookDispatcher } from './http-api/webhooks.js';
import type { Connection, Socket } from './server/connection.js';
import type { HandshakeRequest } from './server/handshake.js';
import { RealtimeServer, type RealtimeServerDeps } from './server/realtime-server.js';
import { clientAddressOf } from './transport/client-address.js';
import { attachWebSockets, type TransportOptions, type WebSocketTransport } from './transport/ws-transport.js';

/** One Pusher-compatible server: what `parley start` embeds and `parley realtime:start` runs alone. */
export interface RealtimeNode {
  server: RealtimeServer;
  bus: Bus;
  apps: AppRegistry;
  /** The `REVERB_APP_*` app: the one the chat publishes to and signs subscriptions for. */
  app: RealtimeApp;
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
export function createRealtimeNode(config: Config, logger: Logger): RealtimeNode {
  const log = logger.child({ component: 'realtime' });
  const apps = new AppRegistry(configuredApps(config));
  const redisBus = config.redis ? new RedisBus({ url: config.redis.url, keyPrefix: config.redis.prefix, logger: logger.child({ component: 'bus' }) }) : undefined;
  const bus = redisBus ?? new MemoryBus();
  const webhooks = new WebhookDispatcher({ apps, logger: logger.child({ component: 'webhooks' }) });
  const deps: RealtimeServerDeps = { apps, bus, logger: log, listeners: [webhooks.listener] };
  const server = log.isLevelEnabled('debug') ? new FrameLoggingServer(deps) : new RealtimeServer(deps);
  let transport: WebSocketTransport | undefined;

  return {
    server,
    bus,
    apps,
    app: apps.findById(config.broadcast.reverb.appId) as RealtimeApp,
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
    attach(httpServer, options) {
      if (transport) throw new Error('The realtime node is already attached to an HTTP server');
      // By default the per-address cap reads the client address as Fastify does for HTTP, under the same TRUST_PROXY.
      transport = attachWebSockets(httpServer, server, log, { ipOf: clientAddressOf(config.http.trustProxy), ...options });
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

/**
 * `parley realtime:start`: the realtime node alone on its own HTTP server, with only `GET /up`, the
 * Pusher HTTP API and the WebSocket endpoint (the seed's `php artisan reverb:start`). Listening is the caller's.
 */
export async function buildRealtimeApp(node: RealtimeNode, logger: Logger, timeouts?: Config['http']['timeouts']): Promise<FastifyInstance> {
  // 164-character channel names in API paths; framework refusals in the documented error shape.
  const app = createHttpServer(logger, timeouts);
  await app.register(opsRoutes, { checks: { realtime: async () => undefined, ...node.checks } });
  await app.register(node.routes);
  node.attach(app.server);
  // Before the HTTP server closes: WebSocket clients are told to reconnect, so nothing keeps it open.
  app.addHook('preClose', async () => node.close());
  return app;
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
