import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../time/clock.js';
import type { RealtimeApp } from '../apps.js';
import { verifyHttpSignature } from '../protocol/signatures.js';
import { ApiError } from './api-error.js';

/** Seconds `auth_timestamp` may differ from the server's clock. */
export const TIMESTAMP_WINDOW_SECONDS = 600;

/** A request whose signature checked out: its app, its query (as signed) and its raw body. */
export interface SignedRequest {
  app: RealtimeApp;
  query: Record<string, string>;
  body: string;
}

const verified = new WeakMap<FastifyRequest, SignedRequest>();

/**
 * A `preHandler` that finds the app of `/apps/:appId/…` (404 when unknown) and checks the Pusher
 * signature (401). The body it checks is the raw string the API's content-type parser kept.
 */
export function signatureHook(apps: { findById(id: string): RealtimeApp | undefined }, clock: Clock) {
  return async (request: FastifyRequest): Promise<void> => {
    const { appId } = request.params as { appId: string };
    const app = apps.findById(appId);
    if (!app) throw new ApiError(404, `Unknown app id ${JSON.stringify(appId)}`);

    const [path = '', search = ''] = splitUrl(request.url);
    const query = parseQuery(search);
    const body = typeof request.body === 'string' ? request.body : '';
    const check = (signedPath: string) =>
      verifyHttpSignature({
        method: request.method,
        path: signedPath,
        query,
        body,
        key: app.key,
        secret: app.secret,
        nowSeconds: Math.floor(clock.now() / 1000),
        windowSeconds: TIMESTAMP_WINDOW_SECONDS,
      });
    let result = check(path);
    // SDKs sign the path before their HTTP client percent-encodes it (a user id with a space).
    if (!result.ok && path.includes('%')) {
      const decoded = safeDecode(path);
      if (decoded !== undefined && check(decoded).ok) result = { ok: true };
    }
    if (!result.ok) throw new ApiError(result.status, result.message);
    verified.set(request, { app, query, body });
  };
}

/** What `signatureHook` verified for this request. */
export function signedRequest(request: FastifyRequest): SignedRequest {
  const signed = verified.get(request);
  if (!signed) throw new Error(`${request.method} ${request.url} reached its handler without the signature hook`);
  return signed;
}

function splitUrl(url: string): [string, string] {
  const index = url.indexOf('?');
  return index === -1 ? [url, ''] : [url.slice(0, index), url.slice(index + 1)];
}

/** The query as one value per key: a repeated key would let the signed and the used value differ. */
function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    if (Object.hasOwn(query, key)) throw new ApiError(400, `${key}: the query parameter is repeated`);
    query[key] = value;
  }
  return query;
}

function safeDecode(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
