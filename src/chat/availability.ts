import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import { isOpen, nextChange, nextOpening } from './business-hours.js';
import type { BusinessHours } from './dto.js';
import type { ChatEvent } from './events.js';

/** Who can answer, as `GET /api/chat/config` and `AvailabilityChanged` report it. */
export interface AvailabilityState {
  agentsOnline: number;
  available: boolean;
  nextAvailableAt: string | null;
}

/**
 * Available: an agent is online (status) and connected, and the business is open (or keeps no
 * hours). When not, the next opening is known only while the hours are what keeps it closed.
 */
export function decideAvailability(input: { onlineAndConnected: number; hours: BusinessHours | null; now: number }): Pick<AvailabilityState, 'available' | 'nextAvailableAt'> {
  const open = input.hours === null || isOpen(input.hours, input.now);
  if (open && input.onlineAndConnected > 0) return { available: true, nextAvailableAt: null };
  const next = open || input.hours === null ? null : nextOpening(input.hours, input.now);
  return { available: false, nextAvailableAt: next === null ? null : new Date(next).toISOString() };
}

export interface AvailabilityDeps {
  /** Agents connected cluster-wide (the presence roster, or those seen lately). */
  connectedAgentIds(): Promise<number[]>;
  /** Of the given agents, the active ones whose status is `online`. */
  onlineAmong(ids: number[]): Promise<number[]>;
  hours(): Promise<BusinessHours | null>;
  /** True for exactly one node per business-hours change, so it is announced once. */
  claimBoundary(at: number): Promise<boolean>;
  publish(event: ChatEvent): Promise<void>;
  clock: Clock;
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  logger: Logger;
  /** How often each node rereads the hours, to follow a change saved on another node (15 minutes). */
  recheckMs?: number;
}

const RECHECK_MS = 15 * 60_000;

/** Computes availability and announces its changes on `chat-status`, including at business-hours openings and closings. */
export class Availability {
  private timer: TimerHandle | undefined;
  private running = false;
  private queue = Promise.resolve();

  constructor(private readonly deps: AvailabilityDeps) {}

  /** Who can answer now; `knownHours`, when the caller has just read the settings, saves reading them again. */
  async current(knownHours?: BusinessHours | null): Promise<AvailabilityState> {
    const [connected, hours] = await Promise.all([this.deps.connectedAgentIds(), knownHours === undefined ? this.deps.hours() : knownHours]);
    const online = await this.deps.onlineAmong(connected);
    return { agentsOnline: connected.length, ...decideAvailability({ onlineAndConnected: online.length, hours, now: this.deps.clock.now() }) };
  }

  /** Publishes the current state; calls run one after another, so the last published is the latest. */
  announce(): Promise<void> {
    this.queue = this.queue
      .then(async () => this.deps.publish({ name: 'AvailabilityChanged', ...(await this.current()) }))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'announcing availability failed'));
    return this.queue;
  }

  /** Settings changed on this node: announce, and wait for the new hours' next change. */
  async settingsChanged(): Promise<void> {
    await this.announce();
    if (this.running) await this.schedule();
  }

  /** Starts waiting for the next opening or closing. */
  async start(): Promise<void> {
    this.running = true;
    await this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Waits for the first opening or closing after `from`; one already past fires at once, so a slow tick misses none. */
  private async schedule(from = this.deps.clock.now()): Promise<void> {
    const hours = await this.deps.hours();
    const at = hours === null ? null : nextChange(hours, from);
    // Cleared after the read: of two schedules at once, one timer stays.
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const due = Math.min(at ?? Infinity, from + (this.deps.recheckMs ?? RECHECK_MS));
    const tick = () => void this.tick(at, due).catch((error: unknown) => this.deps.logger.error({ err: error }, 'business hours check failed'));
    this.timer = this.deps.timers.setTimeout(tick, Math.max(0, due - this.deps.clock.now()));
  }

  private async tick(at: number | null, due: number): Promise<void> {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.deps.clock.now();
    if (at !== null && now >= at) {
      const hours = await this.deps.hours();
      const stillAChange = hours !== null && isOpen(hours, at - 1) !== isOpen(hours, at);
      if (stillAChange && (await this.deps.claimBoundary(at))) await this.announce();
    }
    // From the planned time, or from now if the timer fired early.
    if (this.running) await this.schedule(Math.min(due, now));
  }
}
