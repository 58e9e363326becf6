import type { FastifyRequest } from 'fastify';
import type { Rate } from '../config/rate.js';
import { rateKey } from '../security/rate-key.js';

/**
 * A route's `config` for @fastify/rate-limit: at most `rate` requests per client IP (IPv6 per /64,
 * see `rateKey`), counted under `name` so each route has its own budget.
 */
export function perIpLimit(name: string, rate: Rate) {
  return { rateLimit: { max: rate.max, timeWindow: rate.windowMs, keyGenerator: (r: FastifyRequest) => `${name}:${rateKey(r.ip)}` } };
}
