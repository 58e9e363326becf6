import pino from 'pino';
import { afterEach, expect, vi } from 'vitest';
import type { Clock } from '../../src/time/clock.js';
import { AppRegistry, DEFAULT_APP_LIMITS, type RealtimeApp } from '../../src/realtime/apps.js';
import { channelAuth } from '../../src/realtime/protocol/signatures.js';
import type { Connection } from '../../src/realtime/server/connection.js';
import type { HandshakeRequest } from '../../src/realtime/server/handshake.js';
import { RealtimeServer } from '../../src/realtime/server/realtime-server.js';
import { MemoryBus } from '../../src/scaling/memory-bus.js';
import { dataOf, MemorySocket, type SentFrame } from './memory-socket.js';

/** In-process Pusher-protocol servers and clients for the realtime protocol suites (test/realtime-*.test.ts). */

const logger = pino({ level: 'silent' });
export const KEY = 'key-1';
export const SECRET = 'secret-1';

/** One in-process client: a fake socket and the server's connection for it. */
export class Client {
  constructor(
    readonly server: RealtimeServer,
    readonly socket: MemorySocket,
    readonly conn: Connection,
    readonly socketId: string,
  ) {}

  /** Sends one text frame (objects are JSON-encoded) and waits until the server has handled it. */
  send(frame: unknown): Promise<void> {
    return this.server.receive(this.conn, typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next(event?: string, options?: { channel?: string; strict?: boolean }): Promise<SentFrame> {
    return this.socket.next(event, options);
  }

  /** Subscribes with whatever auth is given; answers the first frame the server sends back for it. */
  async subscribe(channel: string, auth?: string, channelData?: string): Promise<SentFrame> {
    await this.send({ event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } });
    return this.next(undefined, { strict: true });
  }

  /** Subscribes to a public or private channel with a valid signature and expects success. */
  async join(channel: string): Promise<void> {
    const auth = channel.startsWith('private-') ? channelAuth(KEY, SECRET, this.socketId, channel) : undefined;
    const frame = await this.subscribe(channel, auth);
    expect(frame).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel });
  }

  /** Joins a presence channel as `userId`; answers the `subscription_succeeded` presence data. */
  async joinPresence(channel: string, userId: string | number, userInfo?: unknown): Promise<PresenceData> {
    const channelData = JSON.stringify({ user_id: userId, user_info: userInfo });
    const frame = await this.subscribe(channel, channelAuth(KEY, SECRET, this.socketId, channel, channelData), channelData);
    expect(frame).toMatchObject({ event: 'pusher_internal:subscription_succeeded', channel });
    return dataOf<{ presence: PresenceData }>(frame).presence;
  }

  async expectPong(): Promise<void> {
    await this.send({ event: 'pusher:ping', data: {} });
    expect(await this.next(undefined, { strict: true })).toEqual({ event: 'pusher:pong', data: {} });
  }

  /** Expects the very next frame to be `pusher:error` with this code. */
  async expectError(code: number): Promise<SentFrame> {
    const frame = await this.next(undefined, { strict: true });
    expect(frame).toMatchObject({ event: 'pusher:error', data: { code } });
    return frame;
  }

  /** Nothing with this event has arrived (all in-process delivery is done once `send`/`trigger` resolve). */
  expectNo(event: string): void {
    expect(this.socket.pendingOf(event)).toEqual([]);
  }

  disconnect(): Promise<void> {
    return this.server.disconnect(this.conn);
  }
}

export interface PresenceData {
  ids: string[];
  hash: Record<string, unknown>;
  count: number;
}

export interface Setup {
  server: RealtimeServer;
  app: RealtimeApp;
  bus: MemoryBus;
  /** Opens a connection and takes its `connection_established`. */
  connect(): Promise<Client>;
  /** Opens a socket with a raw handshake request; for refusals. */
  open(request?: Partial<HandshakeRequest>): { socket: MemorySocket; conn: Connection | undefined };
}

const servers: RealtimeServer[] = [];

/** A server with app `app-1` (KEY/SECRET, these limits) and app `app-2`; stopped by `stopServersAfterEach`. */
export function setup(limits: Partial<RealtimeApp> = {}, clock?: Clock): Setup {
  const app: RealtimeApp = { ...DEFAULT_APP_LIMITS, id: 'app-1', key: KEY, secret: SECRET, ...limits };
  const other: RealtimeApp = { ...DEFAULT_APP_LIMITS, id: 'app-2', key: 'key-2', secret: 'secret-2' };
  const bus = new MemoryBus(clock);
  const server = new RealtimeServer({ apps: new AppRegistry([app, other]), bus, logger, ...(clock ? { clock } : {}) });
  servers.push(server);
  const open: Setup['open'] = (request = {}) => {
    const socket = new MemorySocket();
    const conn = server.open(socket, { appKey: KEY, protocol: '7', origin: undefined, ...request });
    return { socket, conn };
  };
  const connect = async () => {
    const { socket, conn } = open();
    if (!conn) throw new Error(`connection refused: ${JSON.stringify(socket.frames)}`);
    const established = await socket.next('pusher:connection_established', { strict: true });
    return new Client(server, socket, conn, dataOf<{ socket_id: string }>(established).socket_id);
  };
  return { server, app, bus, connect, open };
}

/** Registers the cleanup every suite needs: real timers back, and every server `setup` made stopped, after each test. */
export function stopServersAfterEach(): void {
  afterEach(async () => {
    vi.useRealTimers();
    for (const server of servers.splice(0)) await server.stop();
  });
}
