/** What `WorkLimiter.run` answers: the task's value, or `busy` when no slot and no queue place was free. */
export type LimitedResult<T> = { ok: true; value: T } | { ok: false; reason: 'busy' };

export interface WorkLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a slot; one more is refused at once instead of queueing without bound. */
  queue: number;
}

/** A semaphore with a bounded wait queue: expensive work (argon2) never piles up without limit. */
export class WorkLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: WorkLimits) {}

  /** Runs `task` in a free slot, waiting in the queue if need be; `busy` at once when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<LimitedResult<T>> {
    if (this.running < this.limits.concurrency) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.limits.queue) return { ok: false, reason: 'busy' };
      // The slot is handed over by the finishing task: `running` stays counted.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return { ok: true, value: await task() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Tasks running and waiting now (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
