/** Counts per key (connections per app, per app and client address); a key that drops to zero is forgotten. */
export class CounterMap {
  private readonly counts = new Map<string, number>();

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  increment(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }

  decrement(key: string): void {
    const left = this.get(key) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}

/** The key of a client address within an app. */
export const addressKey = (appId: string, ip: string): string => `${appId}\u0000${ip}`;
