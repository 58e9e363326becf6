import type { TimerHandle, Timers } from './timers.js';

/**
 * A queue worker's life (docs/architecture.md, "Where a new feature goes": outbound delivery):
 * `start` runs it now and every `pollMs`, `wake` runs it in the background, and one run happens
 * at a time: a wake during a run makes that run go round once more (`again`), so nothing that came
 * due meanwhile waits for the next poll. `stop` ends the polling and waits for the run in flight.
 */
export abstract class PolledRun<Summary> {
  private current: Promise<Summary> | undefined;
  private poll: TimerHandle | undefined;
  /** Set by a wake during a run; the run's loop clears it and goes round once more while it is set. */
  protected again = false;
  protected stopped = false;

  constructor(
    private readonly polling: { timers: Timers; onError(error: unknown): void },
    private readonly pollMs: () => number,
  ) {}

  /** One run: claims and handles what is due, until nothing is (or `again` is clear). */
  protected abstract loop(): Promise<Summary>;

  /** Runs now, then every `pollMs`. */
  start(): void {
    this.poll ??= this.polling.timers.setInterval(() => this.wake(), this.pollMs());
    this.wake();
  }

  /** Runs in the background; a failure (the database away) is reported and the next wake tries again. */
  wake(): void {
    if (this.stopped) return;
    this.runOnce().catch((error: unknown) => this.polling.onError(error));
  }

  /** Handles everything due now (joining a run in progress, which then goes round once more); resolves with what the whole run did. */
  runOnce(): Promise<Summary> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = this.loop().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /** Stops claiming; resolves once the run in flight is settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll !== undefined) this.polling.timers.clearInterval(this.poll);
    this.poll = undefined;
    await this.current?.catch(() => undefined);
  }
}
