import type { Logger } from 'pino';
import type { Timers, TimerHandle } from '../time/timers.js';
import type { StateChange } from './bus.js';

/** Where nodes prove they are alive and where a dead node's entries are cleared. */
export interface LivenessStore {
  /** Proves this node alive for a while longer. */
  beat(): Promise<void>;
  /** Every node that may still hold entries. */
  nodes(): Promise<string[]>;
  /** Clears `node`'s entries if its heartbeat expired: what that changed, or undefined while it lives. */
  sweep(node: string): Promise<StateChange[] | undefined>;
}

export interface NodeLivenessOptions {
  store: LivenessStore;
  nodeId: string;
  heartbeatMs: number;
  sweepMs: number;
  timers: Timers;
  logger: Logger;
  /** Whether the store holds this node's state: beating or sweeping before that would be wrong. */
  active(): boolean;
  /** A store command failed. */
  failed(error: unknown): void;
  /** What a sweep changed, to tell this node's clients. */
  report(changes: StateChange[]): void;
}

/**
 * Keeps this node's heartbeat alive and sweeps the entries of nodes whose heartbeat expired. Any
 * node may sweep at any time: the store checks the heartbeat itself, so a live node is never
 * swept, and only one sweeper gets a dead node's changes.
 */
export class NodeLiveness {
  private heartbeatTimer: TimerHandle | undefined;
  private sweepTimer: TimerHandle | undefined;

  constructor(private readonly options: NodeLivenessOptions) {
    this.heartbeatTimer = options.timers.setInterval(() => this.beat(), options.heartbeatMs);
    this.sweepTimer = options.timers.setInterval(() => void this.sweep(), options.sweepMs);
  }

  beat(): void {
    if (!this.options.active()) return;
    this.options.store.beat().catch((error: unknown) => this.options.failed(error));
  }

  /** Clears what every dead node left behind, and reports what that changed. */
  async sweep(): Promise<void> {
    const { store, nodeId, active, logger } = this.options;
    if (!active()) return;
    try {
      for (const node of await store.nodes()) {
        if (node === nodeId) continue;
        const changes = await store.sweep(node);
        if (!changes) continue;
        logger.warn({ node, changes: changes.length }, 'redis bus: swept a node whose heartbeat expired');
        this.options.report(changes);
      }
    } catch (error) {
      this.options.failed(error);
    }
  }

  /** Stops beating as a kill -9 would, leaving this node's entries for the others to sweep. */
  stopHeartbeat(): void {
    this.options.timers.clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  stop(): void {
    this.stopHeartbeat();
    this.options.timers.clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }
}
