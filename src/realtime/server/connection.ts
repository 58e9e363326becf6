import { encodeFrame, type ServerFrame } from '../protocol/frames.js';
import type { RealtimeApp } from '../apps.js';

/** The two things protocol code may do to a socket; only `realtime/transport` knows it is `ws`. */
export interface Socket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** One client connection: its app, socket id, subscriptions, signed-in user and liveness. */
export class Connection {
  readonly channels = new Set<string>();
  /**
   * Channel → the user id this connection subscribed as, from signed `channel_data` (presence, or a
   * private channel whose authorisation carried one): the server-set `user_id` of its client events.
   */
  readonly channelUser = new Map<string, string>();
  userId: string | undefined;
  /** Authoriser (an agent id) → the sessions in which they signed something for this connection; made on first use. */
  private authorisers: Map<string, Set<string>> | undefined;
  lastSeen: number;
  pingSentAt: number | undefined;
  closed = false;
  /** Frames are handled one after another per connection, in arrival order. */
  queue: Promise<void> = Promise.resolve();
  /** Frames received and not yet handled; bounded by the app's `maxPendingFrames`. */
  pending = 0;
  private eventWindowStart = 0;
  private eventsInWindow = 0;
  private frameWindowStart = 0;
  private framesInWindow = 0;

  constructor(
    private readonly socket: Socket,
    readonly app: RealtimeApp,
    readonly socketId: string,
    now: number,
    /** The client's address key (IPv6: its /64) counted against `maxConnectionsPerIp`; undefined when unknown. */
    readonly ip?: string,
  ) {
    this.lastSeen = now;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(encodeFrame(frame));
  }

  /** Sends an already-encoded frame: fan-out encodes once for every subscriber. */
  sendRaw(text: string): void {
    if (!this.closed) this.socket.send(text);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  touch(now: number): void {
    this.lastSeen = now;
    this.pingSentAt = undefined;
  }

  /** Remembers that `by` (an agent) signed something for this connection within `session`. */
  authorisedBy(by: string, session: string): void {
    this.authorisers ??= new Map();
    const sessions = this.authorisers.get(by) ?? new Set<string>();
    this.authorisers.set(by, sessions.add(session));
  }

  /** Whether `by` signed something for this connection in a session other than `exceptSession`. */
  authorisedOutside(by: string, exceptSession: string | undefined): boolean {
    const sessions = this.authorisers?.get(by);
    return sessions !== undefined && [...sessions].some((s) => s !== exceptSession);
  }

  /** Counts any frame against the app's per-second frame allowance; false when over it. */
  allowFrame(now: number): boolean {
    if (now - this.frameWindowStart >= 1000) {
      this.frameWindowStart = now;
      this.framesInWindow = 0;
    }
    this.framesInWindow += 1;
    return this.framesInWindow <= this.app.maxFrameRate;
  }

  /** Counts a client event against the app's per-second allowance; false when over it. */
  allowClientEvent(now: number): boolean {
    if (now - this.eventWindowStart >= 1000) {
      this.eventWindowStart = now;
      this.eventsInWindow = 0;
    }
    this.eventsInWindow += 1;
    return this.eventsInWindow <= this.app.clientEventRate;
  }
}
