/** How the queue retries (docs/email.md, "Delivery guarantees"); the defaults give up after about 4 hours. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const RETRY_DEFAULTS: RetryPolicy = { maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

/** What to do with an email whose attempt number `attempts` failed: try again at `at`, or give up. */
export type AfterFailure = { action: 'retry'; at: number } | { action: 'give-up'; reason: 'permanent' | 'attempts' };

/** Exponential back-off (base, 2×base, 4×base…, capped), until the last attempt or a permanent refusal. */
export function afterFailure(attempts: number, permanent: boolean, now: number, policy: RetryPolicy): AfterFailure {
  if (permanent) return { action: 'give-up', reason: 'permanent' };
  if (attempts >= policy.maxAttempts) return { action: 'give-up', reason: 'attempts' };
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return { action: 'retry', at: now + delay };
}
