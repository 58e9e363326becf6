import type { Clock } from '../../shared/clock.js';

export const CONVERSATION_POLL_MS = 3000;
export const INBOX_POLL_MS = 10_000;

export interface PollerDeps {
  clock: Clock;
  /** Catch the open transcript up. */
  conversation(): void;
  /** Reload the inbox. */
  inbox(): void;
}

/**
 * The dashboard without live updates (no WebSocket server, a dropped connection, the browser
 * offline) asks every few seconds; when live updates come back it catches up once.
 */
export class Poller {
  private connected: boolean | undefined;
  private timers: unknown[] = [];

  constructor(private readonly deps: PollerDeps) {}

  /** Called with each state; acts only when "connected" changes (the first call counts as a change). */
  update(connected: boolean): void {
    if (connected === this.connected) return;
    const reconnected = connected && this.connected === false;
    this.connected = connected;
    this.stop();
    if (reconnected) {
      this.deps.inbox();
      this.deps.conversation();
    }
    if (!connected) {
      this.every(CONVERSATION_POLL_MS, this.deps.conversation);
      this.every(INBOX_POLL_MS, this.deps.inbox);
    }
  }

  stop(): void {
    for (const timer of this.timers) this.deps.clock.clearTimeout(timer);
    this.timers = [];
  }

  private every(ms: number, task: () => void): void {
    const timers = this.timers;
    const slot = timers.length;
    const tick = () => {
      task();
      // Still the current round (not stopped meanwhile): wait for the next tick.
      if (this.timers === timers) timers[slot] = this.deps.clock.setTimeout(tick, ms);
    };
    timers[slot] = this.deps.clock.setTimeout(tick, ms);
  }
}
