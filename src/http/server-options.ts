import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config/config.js';

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
