import type { ServerOptions } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { frameworkErrorOptions, refuseConnect } from './framework-errors.js';

/**
 * A Fastify instance with what every Parley HTTP server shares (`parley start` and
 * `parley realtime:start`): our logger, requests logged once by the caller's hooks, 503 while
 * closing, slow-client timeouts, framework refusals in the documented error shape, and CONNECT
 * answered instead of dropped. `extra` adds the options only one of them needs.
 */
export function createHttpServer(logger: Logger, timeouts: Config['http']['timeouts'] | undefined, extra: Pick<FastifyServerOptions, 'bodyLimit' | 'trustProxy'> = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ...extra,
    ...(timeouts ? serverTimeouts(timeouts) : {}),
    ...frameworkErrorOptions(logger as FastifyBaseLogger),
  });
  refuseConnect(app.server, logger as FastifyBaseLogger);
  return app;
}

/**
 * The HTTP server's slow-client limits, nginx-like (docs/configuration.md, `HTTP_*_TIMEOUT`): a
 * client that dribbles its headers or body, or holds an idle socket, is cut off instead of
 * holding a connection forever. WebSockets are not affected: `ws` clears the socket timeout on upgrade.
 */
export function serverTimeouts(timeouts: Config['http']['timeouts']): Pick<FastifyServerOptions, 'connectionTimeout' | 'requestTimeout' | 'keepAliveTimeout'> & { http: ServerOptions } {
  return {
    // Whole request (headers and body) received within this, else 408 and the socket is closed.
    requestTimeout: timeouts.requestMs,
    // Socket inactivity (no byte either way), like nginx's client_body_timeout and send_timeout.
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks the two limits above on this interval (30 s by default): keep it well below them.
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(timeouts.headersMs / 4))),
    },
  };
}
