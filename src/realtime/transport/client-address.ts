import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** proxy-addr's named ranges, which `TRUST_PROXY` accepts as Fastify does. */
const NAMED_RANGES: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  linklocal: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  uniquelocal: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
};

/** `::ffff:203.0.113.7` is the IPv4 address it carries. */
const unmapped = (address: string): string => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address);

/**
 * The client address of a WebSocket upgrade, read the way Fastify reads `request.ip` for HTTP
 * with the same `TRUST_PROXY` list: the TCP peer, unless it is a trusted proxy; then the
 * `X-Forwarded-For` entries from the right, skipping trusted proxies, up to the first that is not.
 * Without a trusted list, only the TCP peer counts, whatever headers say.
 */
export function clientAddressOf(trustProxy: false | string[]): (request: IncomingMessage) => string | undefined {
  if (trustProxy === false) return (request) => request.socket.remoteAddress;
  const trusted = new BlockList();
  for (const entry of trustProxy) {
    for (const [network, prefix, family] of NAMED_RANGES[entry] ?? []) trusted.addSubnet(network, prefix, family);
    if (NAMED_RANGES[entry]) continue;
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (request) => {
    const peer = request.socket.remoteAddress;
    if (peer === undefined) return undefined;
    let client = unmapped(peer);
    if (!isTrusted(client)) return client;
    const header = request.headers['x-forwarded-for'];
    const hops = (typeof header === 'string' ? header : '').split(',').map((s) => s.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      client = unmapped(hops[i] as string);
      if (!isTrusted(client)) return client;
    }
    return client;
  };
}
