import { describe, expect, it } from 'vitest';
import { rateKey } from '../src/security/rate-key.js';

describe('rateKey (per-IP rate limits, IPv6 per /64)', () => {
  it.each([
    ['an IPv4 address counts as itself', '203.0.113.7', '203.0.113.7'],
    ['two IPv6 addresses of one /64 count as one client', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['  … whatever their interface part', '2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['the next /64 is another client', '2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['leading zeros and case do not make another client', '2001:0DB8:0001:0002:0:0:0:1', '2001:db8:1:2::/64'],
    ['a compressed prefix is expanded', '2001:db8::1', '2001:db8:0:0::/64'],
    ['the loopback address', '::1', '0:0:0:0::/64'],
    ['an IPv4-mapped IPv6 address counts as its IPv4 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['  … also written in hex', '::ffff:cb00:7107', '203.0.113.7'],
    ['  … also fully written out', '0:0:0:0:0:ffff:203.0.113.7', '203.0.113.7'],
    ['an IPv4-compatible-looking address without ffff is IPv6', '::cb00:7107', '0:0:0:0::/64'],
    ['a zone id is ignored', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['something that is not an address is kept as is', 'unix-socket', 'unix-socket'],
  ])('%s (%s → %s)', (_label, ip, key) => {
    expect(rateKey(ip)).toBe(key);
  });
});
