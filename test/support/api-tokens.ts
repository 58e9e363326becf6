import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ApiTokenDto } from '../../src/agents/api-tokens.js';
import type { Harness } from './harness.js';

/** Helpers of the API token suites (test/api-tokens*.test.ts). */

export interface Created {
  token: string;
  api_token: ApiTokenDto;
}

/** Creates a token through the API in `session` (the admin's): answers the one-time token and its record. */
export async function createToken(h: Harness, session: { headers: Record<string, string> }, scopes: string[], extra: Record<string, unknown> = {}): Promise<Created> {
  const res = await h.request({ method: 'POST', url: '/api/agent/tokens', json: { name: `ci ${scopes.join('+')}`, scopes, ...extra }, headers: session.headers });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Created>();
}

/** A request authenticated by `token` alone: no cookie, no CSRF header. */
export function withToken(h: Harness, token: string, method: string, url: string, json?: unknown, ip?: string): Promise<LightMyRequestResponse> {
  return h.request({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(json !== undefined ? { json } : {}),
    ...(ip !== undefined ? { ip } : {}),
  });
}

/** The agent API's routes as the app registered them (`printRoutes`), login excepted: `[method, path]`. */
export function agentRoutesOf(h: Harness): [string, string][] {
  const found: [string, string][] = [];
  const stack: string[] = [];
  for (const line of h.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const segment = m[2] as string;
    const parent = stack[depth - 1] ?? '';
    const path = parent.endsWith('/') || segment.startsWith('/') ? parent + segment : `${parent}/${segment}`;
    stack[depth] = path;
    stack.length = depth + 1;
    if (!path.startsWith('/api/agent/') || path === '/api/agent/login') continue;
    for (const method of (m[3] as string).split(', ')) if (method !== 'HEAD' && method !== 'OPTIONS') found.push([method, path]);
  }
  return found;
}
