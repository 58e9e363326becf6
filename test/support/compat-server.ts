import type { AddressInfo } from 'node:net';
import type PusherServer from 'pusher';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { RealtimeNodeProbe } from '../../src/main.js';
import { ClientPool, Pusher, serverSdk, type TestUser } from './compat-clients.js';
import { startHarness, type Harness } from './harness.js';

export const ADA: TestUser = { id: '1', info: { name: 'Ada' } };
export const BOB: TestUser = { id: '2', info: { name: 'Bob' } };

/** What the compatibility suites run against: one listening Parley, its server SDK and a pool of clients. */
export interface CompatServer {
  h: Harness;
  port: number;
  sdk: PusherServer;
  realtime: RealtimeNodeProbe;
  pool: ClientPool;
  /** Publishes through the Pusher HTTP API, as a Laravel app does, and checks the answer. */
  publish(channel: string | string[], event: string, data: unknown, socketId?: string): Promise<void>;
}

/**
 * Starts one listening Parley (SQLite, embedded realtime server) for the whole file, and
 * disconnects the pool's clients after each test.
 */
export function useCompatServer(): CompatServer {
  const s = {
    publish: async (channel: string | string[], event: string, data: unknown, socketId?: string): Promise<void> => {
      const response = await s.sdk.trigger(channel, event, data, socketId ? { socket_id: socketId } : undefined);
      expect(response.status).toBe(200);
    },
  } as CompatServer;

  beforeAll(async () => {
    Pusher.logToConsole = false;
    s.h = await startHarness('sqlite');
    await s.h.app.listen({ port: 0, host: '127.0.0.1' });
    s.port = (s.h.app.server.address() as AddressInfo).port;
    s.sdk = serverSdk(s.port);
    if (!s.h.parley.realtimeNode) throw new Error('the harness runs without the embedded realtime server');
    s.realtime = s.h.parley.realtimeNode;
    s.pool = new ClientPool(s.port);
  });
  afterEach(() => s.pool.disconnectAll());
  afterAll(async () => {
    await s.h.close();
  });

  return s;
}
