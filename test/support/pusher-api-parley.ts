import type { AddressInfo } from 'node:net';
import Pusher from 'pusher';
import { afterEach, beforeEach } from 'vitest';
import { httpSignature, md5Hex } from '../../src/realtime/protocol/signatures.js';
import { startHarness, TEST_SECRETS, type Harness } from './harness.js';
import { PusherClients, type TestClient } from './pusher-clients.js';

export const APP_ID = TEST_SECRETS.REVERB_APP_ID;
export const KEY = TEST_SECRETS.REVERB_APP_KEY;
export const SECRET = TEST_SECRETS.REVERB_APP_SECRET;

/** What the SDK answered: the JSON of a 2xx, or the status and JSON of its `RequestError`. */
export async function answer(request: Promise<{ status: number; json(): Promise<unknown> }>): Promise<{ status: number; body: unknown }> {
  try {
    const response = await request;
    return { status: response.status, body: await response.json() };
  } catch (error) {
    const failure = error as { status?: number; body?: string };
    if (failure.status === undefined) throw error;
    return { status: failure.status, body: JSON.parse(failure.body ?? 'null') as unknown };
  }
}

/** A listening Parley with the embedded realtime server, the `pusher` server SDK for it, and pusher-js clients. */
export interface PusherApiParley {
  h: Harness;
  port: number;
  clients: PusherClients;
  sdk: Pusher;
  /** A server SDK for this Parley, with other credentials where a test wants them. */
  serverSdk(overrides?: Partial<{ appId: string; secret: string }>): Pusher;
  /** A request signed by hand, for what the SDK will not send (stale timestamps, bad input it checks itself). */
  signedFetch(
    method: 'GET' | 'POST',
    path: string,
    options?: { body?: string; query?: Record<string, string>; timestamp?: number; secret?: string },
  ): Promise<{ status: number; body: unknown }>;
  /** A client whose presence subscriptions are signed by the server SDK, as `userId` (with `userInfo` when given). */
  presenceClient(userId: string, userInfo?: Record<string, unknown>): Promise<TestClient>;
}

export interface PusherApiParleyOptions {
  /** Extra environment, worked out before each start (a webhook receiver's URL). */
  env?: () => Promise<Record<string, string>>;
  /** Runs after the clients are closed and before Parley is. */
  beforeClose?: () => Promise<void>;
}

/** Starts a `PusherApiParley` (SQLite) before each test and closes it afterwards. */
export function usePusherApiParley(options: PusherApiParleyOptions = {}): PusherApiParley {
  const s: PusherApiParley = {
    serverSdk: (overrides = {}) =>
      new Pusher({ appId: APP_ID, key: KEY, secret: SECRET, host: '127.0.0.1', port: String(s.port), useTLS: false, ...overrides }),
    signedFetch: async (method, path, fetchOptions = {}) => {
      const query: Record<string, string> = {
        auth_key: KEY,
        auth_timestamp: String(fetchOptions.timestamp ?? Math.floor(Date.now() / 1000)),
        auth_version: '1.0',
        ...fetchOptions.query,
      };
      if (fetchOptions.body !== undefined) query.body_md5 = md5Hex(fetchOptions.body);
      query.auth_signature = httpSignature(fetchOptions.secret ?? SECRET, method, path, query);
      const response = await fetch(`http://127.0.0.1:${s.port}${path}?${new URLSearchParams(query)}`, {
        method,
        ...(fetchOptions.body !== undefined ? { body: fetchOptions.body, headers: { 'content-type': 'application/json' } } : {}),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    presenceClient: (userId, userInfo) =>
      s.clients.connect({
        channelAuthorization: {
          customHandler: ({ socketId, channelName }, callback) =>
            callback(null, s.sdk.authorizeChannel(socketId, channelName, { user_id: userId, ...(userInfo ? { user_info: userInfo } : {}) })),
        },
      }),
  } as PusherApiParley;

  beforeEach(async () => {
    s.h = await startHarness('sqlite', (await options.env?.()) ?? {});
    await s.h.app.listen({ port: 0, host: '127.0.0.1' });
    s.port = (s.h.app.server.address() as AddressInfo).port;
    s.clients = new PusherClients({ port: s.port, key: KEY });
    s.sdk = s.serverSdk();
  });
  afterEach(async () => {
    s.clients.closeAll();
    await options.beforeClose?.();
    await s.h.close();
  });

  return s;
}
