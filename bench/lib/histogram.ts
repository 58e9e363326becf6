/**
 * Latency histogram that merges across processes: log buckets of 1 % width above 0.1 ms, so a
 * million samples cost a few hundred numbers over IPC instead of a million.
 */
export type Buckets = Record<string, number>;

const LINEAR_LIMIT_US = 100;
const LOG_STEP = Math.log(1.01);

function bucketOf(ms: number): number {
  const us = Math.max(0, Math.round(ms * 1000));
  if (us < LINEAR_LIMIT_US) return us;
  return LINEAR_LIMIT_US + Math.floor(Math.log(us / LINEAR_LIMIT_US) / LOG_STEP);
}

function lowerBoundMs(bucket: number): number {
  if (bucket < LINEAR_LIMIT_US) return bucket / 1000;
  return (LINEAR_LIMIT_US * Math.exp((bucket - LINEAR_LIMIT_US) * LOG_STEP)) / 1000;
}

export class Histogram {
  buckets: Buckets = {};
  count = 0;

  record(ms: number): void {
    const key = bucketOf(ms);
    this.buckets[key] = (this.buckets[key] ?? 0) + 1;
    this.count++;
  }

  merge(buckets: Buckets): this {
    for (const [key, n] of Object.entries(buckets)) {
      this.buckets[key] = (this.buckets[key] ?? 0) + n;
      this.count += n;
    }
    return this;
  }

  /** The latency at quantile q (0–1), in ms; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (const key of Object.keys(this.buckets).map(Number).sort((a, b) => a - b)) {
      seen += this.buckets[key] ?? 0;
      if (seen >= rank) return lowerBoundMs(key);
    }
    return Number.NaN;
  }

  reset(): void {
    this.buckets = {};
    this.count = 0;
  }
}

/** Merges the bucket maps several workers reported. */
export function mergeAll(parts: Buckets[]): Histogram {
  const h = new Histogram();
  for (const p of parts) h.merge(p);
  return h;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/** Every timed payload carries `ts=<wallMs>`; receivers find it with this, without parsing JSON. */
export const TS_PATTERN = /ts=(\d+(?:\.\d+)?)/;
export const stamp = (): string => `ts=${wallMs().toFixed(3)}`;
