import type { Socket } from '../../src/realtime/server/connection.js';

/** A frame as the client sees it: parsed JSON, with Pusher's string `data` left as sent. */
export interface SentFrame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

/** Captured before any test fakes timers, so waiting still times out under `vi.useFakeTimers()`. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

interface Waiter {
  match: (frame: SentFrame) => boolean;
  resolve: (frame: SentFrame) => void;
}

/**
 * A fake `Socket` for protocol tests: records every frame the server sends (parsed) and the close
 * code and reason, and lets a test await frames in order without sleeping.
 */
export class MemorySocket implements Socket {
  /** Every frame sent, in order. */
  readonly frames: SentFrame[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Frames before this index have been taken by `next`. */
  private cursor = 0;
  private waiters: Waiter[] = [];
  private closeWaiters: (() => void)[] = [];

  send(text: string): void {
    if (this.closed) throw new Error(`send after close: ${text}`);
    this.frames.push(JSON.parse(text) as SentFrame);
    this.wake();
  }

  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  /**
   * The next frame not yet taken whose event is `event` (any event when omitted), waiting for it
   * if needed. Frames before it are skipped unless `strict` is set, in which case the very next
   * frame must match.
   */
  next(event?: string, options: { channel?: string; strict?: boolean; timeoutMs?: number } = {}): Promise<SentFrame> {
    const match = (f: SentFrame) => (event === undefined || f.event === event) && (options.channel === undefined || f.channel === options.channel);
    const found = this.take(match, options.strict ?? false);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = realSetTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${event ?? 'a frame'}; not yet taken: ${JSON.stringify(this.pending())}`));
      }, options.timeoutMs ?? 2_000);
      const waiter: Waiter = {
        match: (f) => match(f) || (options.strict ?? false),
        resolve: (frame) => {
          realClearTimeout(timer);
          if (!match(frame)) reject(new Error(`expected ${event ?? 'a frame'}, got ${JSON.stringify(frame)}`));
          else resolve(frame);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Frames sent but not yet taken by `next`. */
  pending(): SentFrame[] {
    return this.frames.slice(this.cursor);
  }

  /** Frames not yet taken with this event. */
  pendingOf(event: string): SentFrame[] {
    return this.pending().filter((f) => f.event === event);
  }

  /** Marks every frame so far as taken. */
  drain(): SentFrame[] {
    const rest = this.pending();
    this.cursor = this.frames.length;
    return rest;
  }

  /** Resolves once the server has closed the socket. */
  waitForClose(timeoutMs = 2_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = realSetTimeout(() => reject(new Error('timed out waiting for the socket to close')), timeoutMs);
      this.closeWaiters.push(() => {
        realClearTimeout(timer);
        resolve(this.closed as { code: number; reason: string });
      });
    });
  }

  private take(match: (f: SentFrame) => boolean, strict: boolean): SentFrame | undefined {
    for (let i = this.cursor; i < this.frames.length; i++) {
      const frame = this.frames[i] as SentFrame;
      if (match(frame) || strict) {
        this.cursor = i + 1;
        return frame;
      }
    }
    return undefined;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      const frame = this.take(waiter.match, false);
      if (!frame) continue;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(frame);
    }
  }
}

/** Pusher sends event payloads as JSON strings; this reads one back. */
export function dataOf<T = Record<string, unknown>>(frame: SentFrame): T {
  return (typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data) as T;
}
