import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../time/clock.js';
import type { Bus, BusMessage, StateChange } from '../../scaling/bus.js';
import type { AppRegistry, RealtimeApp } from '../apps.js';
import { channelKind } from '../channels/channel-kind.js';
import { PUSHER_CODES, type CloseCode } from '../protocol/codes.js';
import { appEventFrame, connectionEstablished, encodeFrame, errorFrame } from '../protocol/frames.js';
import { ChannelManager, type ChannelEventListener } from './channel-manager.js';
import { ClientFrames } from './client-frames.js';
import { Connection, type Socket } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { checkHandshake, type HandshakeRequest } from './handshake.js';
import { heartbeatDue } from './heartbeat.js';

const SWEEP_INTERVAL_MS = 1_000;

export interface RealtimeServerDeps {
  apps: AppRegistry;
  bus: Bus;
  logger: Logger;
  clock?: Clock;
  /** Receives channel events once per cluster (webhooks, the chat's presence watch). */
  listeners?: ChannelEventListener[];
}

/**
 * The Pusher protocol v7 server, independent of the socket library: the transport hands it
 * sockets and text frames; the HTTP API and the embedded broadcaster call `trigger`.
 */
export class RealtimeServer {
  private readonly connections = new ConnectionRegistry();
  private readonly channels: ChannelManager;
  private readonly frames: ClientFrames;
  private readonly clock: Clock;
  private readonly listeners: ChannelEventListener[];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RealtimeServerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.listeners = [...(deps.listeners ?? [])];
    this.channels = new ChannelManager(deps.bus, (appId, event) => this.notify(appId, event), deps.logger);
    this.frames = new ClientFrames({ channels: this.channels, bus: deps.bus, clock: this.clock, notify: (appId, event) => this.notify(appId, event) });
    deps.bus.onMessage((message) => this.deliver(message));
    deps.bus.onStateChange((change) => void this.stateChanged(change));
  }

  get apps(): AppRegistry {
    return this.deps.apps;
  }

  /** Adds a listener for channel events (occupied, vacated, members, client events, cache misses). */
  listen(listener: ChannelEventListener): void {
    this.listeners.push(listener);
  }

  /** Starts the heartbeat sweep: ping after `activity_timeout` of silence, close with 4201 when no answer follows. */
  start(): void {
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Closes every connection (4200: clients reconnect, to another node if there is one). */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.reconnectAll('Server shutting down');
  }

  /** Closes every connection with 4200, which tells Pusher clients to reconnect at once. */
  private async reconnectAll(reason: string): Promise<void> {
    for (const conn of this.connections.all()) {
      conn.close(PUSHER_CODES.RECONNECT, reason);
      await this.disconnect(conn);
    }
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** A new WebSocket: checks the handshake, then sends `pusher:connection_established` (or the refusal and a close code). */
  open(socket: Socket, request: HandshakeRequest): Connection | undefined {
    const result = checkHandshake(
      this.deps.apps,
      request,
      (appId) => this.connections.ofApp(appId),
      (appId, ip) => this.connections.fromIp(appId, ip),
    );
    if (!result.ok) {
      socket.send(encodeFrame(errorFrame(result.code, result.message)));
      socket.close(result.code, result.message);
      return undefined;
    }
    const socketId = `${randomInt(1, 2 ** 47)}.${randomInt(1, 2 ** 47)}`;
    const conn = new Connection(socket, result.app, socketId, this.clock.now(), request.ip);
    this.connections.add(conn);
    conn.send(connectionEstablished(socketId, result.app.activityTimeout));
    return conn;
  }

  /**
   * One text frame from a client; frames of a connection are handled in order. A connection over
   * its frame rate (4101) or with too many frames waiting (4103) is closed, its frame dropped.
   */
  receive(conn: Connection, text: string): Promise<void> {
    // A closing socket may still deliver frames; acting on them would subscribe a connection already cleaned up.
    if (conn.closed) return conn.idle();
    const now = this.clock.now();
    conn.touch(now);
    if (!conn.allowFrame(now)) return this.refuse(conn, PUSHER_CODES.FRAME_RATE_EXCEEDED, `More than ${conn.app.maxFrameRate} frames per second`);
    const queued = conn.enqueue(
      () => this.frames.handle(conn, text),
      (error) => {
        this.deps.logger.error({ err: error, socketId: conn.socketId }, 'frame handling failed');
        conn.send(errorFrame(PUSHER_CODES.RECONNECT, 'Internal error'));
      },
    );
    return queued ?? this.refuse(conn, PUSHER_CODES.FRAME_QUEUE_FULL, `More than ${conn.app.maxPendingFrames} frames waiting`);
  }

  /** Closes a connection that broke a limit: the error frame first (pusher-js logs it), then the close code. */
  private refuse(conn: Connection, code: CloseCode, message: string): Promise<void> {
    conn.send(errorFrame(code, message));
    this.drop(conn, code, message);
    return conn.idle();
  }

  /** Closes a connection and forgets it, without waiting for its channels to be left. */
  private drop(conn: Connection, code: CloseCode, reason: string): void {
    conn.close(code, reason);
    void this.disconnect(conn);
  }

  /** Any sign of life (a frame, or a WebSocket pong). */
  touch(conn: Connection): void {
    conn.touch(this.clock.now());
  }

  /** The socket closed: leave every channel (presence and occupancy follow). */
  async disconnect(conn: Connection): Promise<void> {
    if (!this.connections.remove(conn)) return;
    conn.markClosed();
    await conn.idle();
    await this.channels.leaveAll(conn);
  }

  /** Publishes an event to channels (HTTP API, embedded broadcaster); `except` skips that socket. */
  async trigger(app: RealtimeApp, channels: string[], event: string, data: string, except?: string): Promise<void> {
    for (const channel of channels) {
      if (channelKind(channel).cache) await this.deps.bus.setCache(app.id, channel, { event, data }, app.cacheTtl);
      await this.deps.bus.publish({ type: 'channel', appId: app.id, channel, frame: encodeFrame(appEventFrame(event, channel, data)), except });
    }
  }

  /** Disconnects every connection of a signed-in user, cluster-wide. */
  async terminateUser(app: RealtimeApp, userId: string): Promise<void> {
    await this.deps.bus.publish({ type: 'terminate', appId: app.id, userId });
  }

  /**
   * Remembers, on whichever node holds `socketId`, that `by` (an agent) signed something for it in
   * `session`; `terminateAuthorisedBy` can then close it, cluster-wide.
   */
  async authorised(app: RealtimeApp, socketId: string, by: string, session: string): Promise<void> {
    await this.deps.bus.publish({ type: 'authorised', appId: app.id, socketId, by, session });
  }

  /** Disconnects every connection `by` authorised, except those authorised only within `exceptSession`, cluster-wide. */
  async terminateAuthorisedBy(app: RealtimeApp, by: string, exceptSession?: string): Promise<void> {
    await this.deps.bus.publish({ type: 'terminate_authorised', appId: app.id, by, exceptSession });
  }

  /**
   * A dead node's members and channels are gone, or this node's are back after a Redis outage.
   * After an outage this node may have missed other nodes' broadcasts, so its clients are told to
   * reconnect (4200): on reconnecting, the widget and the dashboard fetch what they missed.
   */
  private async stateChanged(change: StateChange): Promise<void> {
    try {
      if (change.type !== 'resynced') return await this.channels.stateChanged(change);
      this.deps.logger.warn({ connections: this.connections.size, outageMs: change.outageMs }, 'asking clients to reconnect and catch up after a Redis outage');
      await this.reconnectAll('Reconnect to catch up: the cluster bus was unavailable');
    } catch (error) {
      this.deps.logger.error({ err: error, change: change.type }, 'applying a cluster state change failed');
    }
  }

  /** Delivers a bus message to this node's subscribers, or acts on this node's connections. */
  private deliver(message: BusMessage): void {
    switch (message.type) {
      case 'channel': {
        const subscribers = this.channels.localSubscribers(message.appId, message.channel);
        if (!subscribers) return;
        for (const conn of subscribers) if (conn.socketId !== message.except) conn.sendRaw(message.frame);
        return;
      }
      case 'authorised': {
        const conn = this.connections.get(message.socketId);
        if (conn?.app.id === message.appId) conn.authorisedBy(message.by, message.session);
        return;
      }
      case 'terminate':
        return this.terminateWhere(message.appId, (conn) => conn.userId === message.userId);
      case 'terminate_authorised':
        return this.terminateWhere(message.appId, (conn) => conn.authorisedOutside(message.by, message.exceptSession));
      default: {
        const unreachable: never = message;
        throw new Error(`Unhandled bus message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Closes (4009) and forgets this node's connections of an app that `match`. */
  private terminateWhere(appId: string, match: (conn: Connection) => boolean): void {
    for (const conn of this.connections.all()) {
      if (conn.app.id === appId && match(conn)) this.drop(conn, PUSHER_CODES.UNAUTHORIZED, 'Connection terminated by the server');
    }
  }

  private notify: ChannelEventListener = (appId, event) => {
    for (const listener of this.listeners) {
      try {
        listener(appId, event);
      } catch (error) {
        this.deps.logger.error({ err: error, event: event.name }, 'channel event listener failed');
      }
    }
  };

  private sweep(): void {
    const now = this.clock.now();
    for (const conn of this.connections.all()) {
      const due = heartbeatDue(conn, now);
      if (due === 'ping') conn.ping(now);
      else if (due === 'timeout') this.drop(conn, PUSHER_CODES.PONG_NOT_RECEIVED, 'Pong reply not received');
    }
  }
}
