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
  /** Presence channel → the user id this connection joined it as (for client events' `user_id`). */
  readonly presenceUser = new Map<string, string>();
  userId: string | undefined;
  lastSeen: number;
  pingSentAt: number | undefined;
  closed = false;
  /** Frames are handled one after another per connection, in arrival order. */
  queue: Promise<void> = Promise.resolve();
  private eventWindowStart = 0;
  private eventsInWindow = 0;

  constructor(
    private readonly socket: Socket,
    readonly app: RealtimeApp,
    readonly socketId: string,
    now: number,
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
