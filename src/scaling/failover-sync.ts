import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import type { BusSnapshot, StateChange } from './bus.js';
import type { RemoteLink } from './remote-link.js';

export interface FailoverSyncOptions {
  link: RemoteLink;
  /** Replaces whatever the remote holds for this node with `snapshot`, and reports what that changed for the cluster. */
  resync(snapshot: BusSnapshot): Promise<StateChange[]>;
  /** What this node really holds: the local copy. */
  snapshot(): BusSnapshot;
  /** Tells this node's clients what the remote's state became. */
  report(changes: StateChange[]): void;
  logger: Logger;
  nodeId: string;
  /** How logs name the remote ("Redis"). */
  remoteName: string;
  /** What starts every log line ("redis bus"). */
  tag: string;
  retryMs: number;
  clock: Clock;
  timers: Timers;
}

/** Resyncs retried when clients keep changing channels while one runs; the next retry tries again. */
const MAX_RESYNC_ATTEMPTS = 5;

/**
 * Whether the remote holds this node's entries. Every failure of the remote starts an outage;
 * once the link is up again, the remote's entries for this node are replaced with the local
 * copy, what that changed is reported, and then `resynced` with the outage's length.
 */
export class FailoverSync {
  private readonly waiters = new Set<() => void>();
  private readonly retryTimer: TimerHandle;
  private isSynced = false;
  /** When the current outage began; undefined before the first connection and while healthy. */
  private outageSince: number | undefined;
  /** Bumped by every change to the local copy, so a resync can tell whether it raced with one. */
  private version = 0;
  private resyncing: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly options: FailoverSyncOptions) {
    options.link.onChange({ down: (error) => this.lost(error), up: () => this.restored() });
    // A resync that gave up (or a reconnect with no event) is tried again.
    this.retryTimer = options.timers.setInterval(() => this.restored(), options.retryMs);
  }

  /** Whether the remote holds this node's state and its link is up: until then, local only. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Resolves once synced, after `timeoutMs`, or on close, whichever comes first; true when synced. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.isSynced || this.closing) return this.isSynced;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.options.timers.clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = this.options.timers.setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
    return this.isSynced;
  }

  /** The local copy changed. */
  changed(): void {
    this.version++;
  }

  /** The remote failed: answer from the local copy until it is back and resynchronised. Logged once per outage. */
  lost(error: unknown): void {
    if (this.closing) return;
    const wasSynced = this.isSynced;
    this.isSynced = false;
    if (this.outageSince === undefined) {
      this.outageSince = this.options.clock.now();
      this.options.logger.error({ err: error }, `${this.options.tag}: ${this.options.remoteName} unreachable; serving this node's clients only until it is back`);
    }
    // A failed command on a live link (a timeout, say): resynchronise at once.
    if (wasSynced) this.restored();
  }

  close(): void {
    this.closing = true;
    this.options.timers.clearInterval(this.retryTimer);
    this.wake();
  }

  /** The link is (back) up: put this node's state back into the remote. */
  private restored(): void {
    if (this.closing || this.isSynced || this.resyncing || !this.options.link.up) return;
    this.resyncing = this.resync().finally(() => {
      this.resyncing = undefined;
    });
  }

  private async resync(): Promise<void> {
    const { logger, clock, nodeId, remoteName, tag } = this.options;
    for (let attempt = 0; attempt < MAX_RESYNC_ATTEMPTS && !this.closing; attempt++) {
      const version = this.version;
      const snapshot = this.options.snapshot();
      let changes: StateChange[];
      try {
        changes = await this.options.resync(snapshot);
      } catch (error) {
        this.lost(error);
        return;
      }
      if (version !== this.version) continue;
      this.isSynced = true;
      const outageMs = this.outageSince === undefined ? undefined : clock.now() - this.outageSince;
      this.outageSince = undefined;
      const entries = snapshot.subscriptions.length + snapshot.members.length;
      if (outageMs === undefined) logger.info({ node: nodeId }, `${tag}: connected`);
      else logger.warn({ node: nodeId, entries, changes: changes.length, outageMs }, `${tag}: ${remoteName} is back; this node's state is resynchronised`);
      this.options.report([...changes, ...(outageMs === undefined ? [] : [{ type: 'resynced', outageMs } as const])]);
      this.wake();
      return;
    }
    logger.warn(`${tag}: state kept changing during resync; retrying later`);
  }

  private wake(): void {
    for (const done of [...this.waiters]) done();
  }
}
