import { isIP } from 'node:net';
import type { Problems } from './config-error.js';

/** Names Fastify (proxy-addr) understands in place of addresses. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY`: which peers may tell us the client's address. Never "everyone": `true` means a
 * proxy on this machine (loopback), since trusting any peer lets every client choose its own IP.
 */
export function parseTrustProxy(value: string, problems: Problems): false | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return ['loopback'];
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !isAddressOrRange(s));
  // Without a peer, nothing is trusted: an empty list must not reach Fastify as "trust every hop".
  if (list.length === 0) return false;
  if (bad.length > 0) problems.add('TRUST_PROXY', `must be true, false or a comma-separated list of IPs/CIDRs (bad: ${bad.join(', ')})`);
  return list;
}

/** An IP, a CIDR with a prefix that fits its family, or one of proxy-addr's named ranges. */
function isAddressOrRange(text: string): boolean {
  if (PROXY_RANGES.has(text)) return true;
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
