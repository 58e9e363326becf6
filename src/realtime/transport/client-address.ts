import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * The client address of a WebSocket upgrade, read exactly as Fastify reads `request.ip` for HTTP
 * (the same `@fastify/proxy-addr`, the same `TRUST_PROXY` list): the TCP peer, unless it is a
 * trusted proxy; then the `X-Forwarded-For` entries from the right, skipping trusted proxies, up
 * to the first that is not. Without a trusted list, only the TCP peer counts, whatever headers say.
 */
export function clientAddressOf(trustProxy: false | string[]): (request: IncomingMessage) => string | undefined {
  if (trustProxy === false) return (request) => request.socket.remoteAddress;
  const trusted = proxyAddr.compile(trustProxy);
  return (request) => (request.socket.remoteAddress === undefined ? undefined : proxyAddr(request, trusted));
}
