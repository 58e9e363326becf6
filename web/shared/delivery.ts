import type { Clock } from './clock.js';
import type { LinkState } from './channel-events.js';

/** How new messages reach the page; the widget mirrors it on the host element's `data-transport`. */
export type Transport = 'none' | 'websocket' | 'polling';

/** What `Delivery` drives: time, catch-up, and who hears of a switch. */
export interface DeliveryDeps {
  clock: Clock;
  /** Fetch messages after the last `seq` (a poll or a catch-up). */
  catchUp(): void;
  onTransport(transport: Transport): void;
  connectTimeoutMs?: number;
  pollIntervalMs?: number;
}

/**
 * Chooses between the WebSocket and polling (docs/widget.md, "Realtime and the polling fallback"): the WebSocket while it is
 * connected and our subscription works; polling every 2.5 s when it has not connected within
 * 4 s, drops, is unavailable, or there is no realtime server. Every switch catches up from the
 * last `seq`, so nothing is lost in between.
 */
export class Delivery {
  transport: Transport = 'none';
  private connected = false;
  private subscriptionFailed = false;
  private connectTimer: unknown;
  private pollTimer: unknown;
  private readonly connectTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly deps: DeliveryDeps) {
    this.connectTimeoutMs = deps.connectTimeoutMs ?? 4000;
    this.pollIntervalMs = deps.pollIntervalMs ?? 2500;
  }

  /** A WebSocket connection is being opened: give it a few seconds before polling. */
  connecting(): void {
    if (this.connected || this.connectTimer !== undefined) return;
    this.connectTimer = this.deps.clock.setTimeout(() => {
      this.connectTimer = undefined;
      if (!this.connected) this.set('polling');
    }, this.connectTimeoutMs);
  }

  /** No realtime server is configured: poll from the start. */
  noRealtime(): void {
    this.set('polling');
  }

  /** The connection changed state: a (re)connect catches up; a drop falls back to polling. */
  linkState(state: LinkState): void {
    if (state === 'connected') {
      this.connected = true;
      this.clearConnectTimer();
      this.evaluate();
      // A (re)connect may follow missed events: catch up whatever the transport was.
      this.deps.catchUp();
      return;
    }
    const wasConnected = this.connected;
    this.connected = false;
    if (wasConnected || state === 'unavailable' || state === 'failed' || state === 'disconnected') this.set('polling');
    else this.connecting();
  }

  /** The conversation channel was authorised (true) or refused (false). */
  subscription(ok: boolean): void {
    this.subscriptionFailed = !ok;
    this.evaluate();
    if (ok) this.deps.catchUp();
  }

  /** Cancels every timer (the page goes away). */
  stop(): void {
    this.clearConnectTimer();
    this.clearPollTimer();
  }

  private evaluate(): void {
    if (this.connected && !this.subscriptionFailed) this.set('websocket');
    else if (this.connected) this.set('polling');
  }

  private set(transport: Transport): void {
    if (transport === this.transport) return;
    this.transport = transport;
    this.clearPollTimer();
    this.deps.onTransport(transport);
    if (transport === 'polling') this.poll();
  }

  private poll(): void {
    this.deps.catchUp();
    this.pollTimer = this.deps.clock.setTimeout(() => {
      this.pollTimer = undefined;
      if (this.transport === 'polling') this.poll();
    }, this.pollIntervalMs);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer === undefined) return;
    this.deps.clock.clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private clearPollTimer(): void {
    if (this.pollTimer === undefined) return;
    this.deps.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }
}
