import { describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_WORK_LIMITS, PasswordWorkBusy, verifyPassword } from '../src/agents/passwords.js';
import { WorkLimiter } from '../src/agents/work-limiter.js';

/** A task that runs until `finish()` is called. */
function gate(): { task: () => Promise<string>; started: Promise<void>; finish: (value?: string) => void } {
  let finish!: (value?: string) => void;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<string>((resolve) => (finish = (value = 'done') => resolve(value)));
  return { task: () => (markStarted(), done), started, finish };
}

describe('WorkLimiter (a semaphore with a bounded wait queue)', () => {
  it('runs at most `concurrency` tasks at once; the rest wait in order', async () => {
    const limiter = new WorkLimiter({ concurrency: 2, queue: 5 });
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g) => limiter.run(g.task));
    await Promise.all([gates[0]?.started, gates[1]?.started]);
    expect(limiter.load).toEqual({ running: 2, waiting: 1 });
    gates[1]?.finish('second');
    await gates[2]?.started;
    expect(limiter.load).toEqual({ running: 2, waiting: 0 });
    gates[0]?.finish('first');
    gates[2]?.finish('third');
    expect(await Promise.all(runs)).toEqual([
      { ok: true, value: 'first' },
      { ok: true, value: 'second' },
      { ok: true, value: 'third' },
    ]);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('answers busy at once when every slot and queue place is taken', async () => {
    const limiter = new WorkLimiter({ concurrency: 1, queue: 1 });
    const first = gate();
    const running = limiter.run(first.task);
    const queued = limiter.run(async () => 'queued');
    expect(await limiter.run(async () => 'refused')).toEqual({ ok: false, reason: 'busy' });
    first.finish();
    expect(await running).toEqual({ ok: true, value: 'done' });
    expect(await queued).toEqual({ ok: true, value: 'queued' });
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new WorkLimiter({ concurrency: 1, queue: 0 });
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toEqual({ ok: true, value: 'next' });
  });
});

describe('password hashing and verification (argon2id, bounded)', () => {
  it('verifies the right password, refuses a wrong one and an unknown account', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword(stored, 'correct horse')).toBe(true);
    expect(await verifyPassword(stored, 'wrong')).toBe(false);
    expect(await verifyPassword(undefined, 'correct horse')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });

  it('runs at most the bounded number of checks and refuses the rest with PasswordWorkBusy instead of queueing without end', async () => {
    const stored = await hashPassword('correct horse');
    const capacity = PASSWORD_WORK_LIMITS.concurrency + PASSWORD_WORK_LIMITS.queue;
    const results = await Promise.allSettled(Array.from({ length: capacity + 20 }, () => verifyPassword(stored, 'wrong')));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(capacity);
    expect(refused).toHaveLength(20);
    expect(refused.every((r) => r.status === 'rejected' && r.reason instanceof PasswordWorkBusy)).toBe(true);
  });

  it('does the same work for an unknown account: it takes a place in the bounded queue like a real check', async () => {
    const capacity = PASSWORD_WORK_LIMITS.concurrency + PASSWORD_WORK_LIMITS.queue;
    await verifyPassword(undefined, 'warm the dummy hash');
    const results = await Promise.allSettled(Array.from({ length: capacity + 1 }, () => verifyPassword(undefined, 'x')));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });
});
