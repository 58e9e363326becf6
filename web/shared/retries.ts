import type { Clock } from './clock.js';

/**
 * Named tasks to try again in a few seconds (the config, a status check, a reachability probe).
 * One pending run per name; `runAll()` (the browser's `online` event) runs them at once.
 */
export class Retries {
  private readonly pending = new Map<string, { timer: unknown; task: () => void }>();

  constructor(
    private readonly clock: Clock,
    private readonly delayMs = 5000,
  ) {}

  /** Runs `task` after the delay, replacing a pending run of the same name. */
  later(name: string, task: () => void): void {
    const previous = this.pending.get(name);
    if (previous) this.clock.clearTimeout(previous.timer);
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(name);
      task();
    }, this.delayMs);
    this.pending.set(name, { timer, task });
  }

  /** Runs every pending task now (back online). */
  runAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const { timer, task } of due) {
      this.clock.clearTimeout(timer);
      task();
    }
  }
}
