import type { CloseCode } from '../protocol/codes.js';
import { encodeFrame, type ServerFrame } from '../protocol/frames.js';
import type { RealtimeApp } from '../apps.js';

/** The two things protocol code may do to a socket; only `realtime/transport` knows it is `ws`. */
export interface Socket {
  send(text: string): void;
  close(code: CloseCode, reason: string): void;
}

/**
 * One client connection: its app, socket id, subscriptions, signed-in user and liveness. It owns
 * its state: the server and the channel manager change it only through these methods.
 */
export class Connection {
  private readonly subscribed = new Set<string>();
  /**
   * Channel → the user id this connection subscribed as, from signed `channel_data` (presence, or a
   * private channel whose authorisation carried one): the server-set `user_id` of its client events.
   */
  private readonly channelUser = new Map<string, string>();
  private signedInAs: string | undefined;
  /** Authoriser (an agent id) → the sessions in which they signed something for this connection; made on first use. */
  private authorisers: Map<string, Set<string>> | undefined;
  private seenAt: number;
  private pingedAt: number | undefined;
  private isClosed = false;
  /** Frames are handled one after another per connection, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  /** Frames received and not yet handled; bounded by the app's `maxPendingFrames`. */
  private pending = 0;
  private readonly frames = new RateWindow();
  private readonly clientEvents = new RateWindow();

  constructor(
    private readonly socket: Socket,
    readonly app: RealtimeApp,
    readonly socketId: string,
    now: number,
    /** The client's address key (IPv6: its /64) counted against `maxConnectionsPerIp`; undefined when unknown. */
    readonly ip?: string,
  ) {
    this.seenAt = now;
  }

  /** The channels this connection is subscribed to. */
  get channels(): ReadonlySet<string> {
    return this.subscribed;
  }

  /** The user this connection signed in as (`pusher:signin`). */
  get userId(): string | undefined {
    return this.signedInAs;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get lastSeen(): number {
    return this.seenAt;
  }

  /** When the heartbeat pinged a silent connection that has not answered yet. */
  get pingSentAt(): number | undefined {
    return this.pingedAt;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(encodeFrame(frame));
  }

  /** Sends an already-encoded frame: fan-out encodes once for every subscriber. */
  sendRaw(text: string): void {
    if (!this.isClosed) this.socket.send(text);
  }

  close(code: CloseCode, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.socket.close(code, reason);
  }

  /** The socket went away without the server closing it: nothing more is sent or handled. */
  markClosed(): void {
    this.isClosed = true;
  }

  touch(now: number): void {
    this.seenAt = now;
    this.pingedAt = undefined;
  }

  /** Pings a silent connection; it has until the heartbeat's timeout to answer. */
  ping(now: number): void {
    this.pingedAt = now;
    this.send({ event: 'pusher:ping', data: {} });
  }

  /**
   * Runs `handle` once the frames before it are handled. Undefined, and nothing queued, when
   * `maxPendingFrames` frames are already waiting.
   */
  enqueue(handle: () => Promise<void>, onError: (error: unknown) => void): Promise<void> | undefined {
    if (this.pending >= this.app.maxPendingFrames) return undefined;
    this.pending += 1;
    this.queue = this.queue
      .then(() => {
        this.pending -= 1;
        return handle();
      })
      .catch(onError);
    return this.queue;
  }

  /** Resolves once every frame queued so far is handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  signIn(userId: string): void {
    this.signedInAs = userId;
  }

  /** Records a subscription, and the user its signed `channel_data` named; false when it was already held. */
  subscribe(channel: string, user: string | undefined): boolean {
    const added = !this.subscribed.has(channel);
    this.subscribed.add(channel);
    if (user !== undefined) this.channelUser.set(channel, user);
    return added;
  }

  /** Forgets a subscription; false when it was not held. */
  unsubscribe(channel: string): boolean {
    this.channelUser.delete(channel);
    return this.subscribed.delete(channel);
  }

  /** The user id this connection subscribed to `channel` as, if its `channel_data` named one. */
  userIn(channel: string): string | undefined {
    return this.channelUser.get(channel);
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
    return this.frames.allow(now, this.app.maxFrameRate);
  }

  /** Counts a client event against the app's per-second allowance; false when over it. */
  allowClientEvent(now: number): boolean {
    return this.clientEvents.allow(now, this.app.clientEventRate);
  }
}

/** A one-second counting window, as Pusher's per-second limits count. */
class RateWindow {
  private start = 0;
  private count = 0;

  allow(now: number, perSecond: number): boolean {
    if (now - this.start >= 1000) {
      this.start = now;
      this.count = 0;
    }
    this.count += 1;
    return this.count <= perSecond;
  }
}
