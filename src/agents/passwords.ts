import { hash, verify } from '@node-rs/argon2';
import { WorkLimiter } from './work-limiter.js';

/**
 * At most this much argon2 work at once, server-wide. Each hash or verify holds 19 MiB and a
 * thread of libuv's pool (4 threads by default, shared with file and DNS work) for tens of
 * milliseconds: a login flood must queue behind two slots, not take every thread, and once 16
 * wait, more are refused at once (`PasswordWorkBusy`, answered 503 `service_unavailable` with
 * `Retry-After`) instead of piling up memory and latency.
 */
export const PASSWORD_WORK_LIMITS = { concurrency: 2, queue: 16 } as const;
const work = new WorkLimiter(PASSWORD_WORK_LIMITS);

/** Thrown when the password work queue is full: the server is busy, retry in a moment. */
export class PasswordWorkBusy extends Error {
  readonly code = 'service_unavailable';
  constructor() {
    super('Too many password checks at once; retry in a moment.');
    this.name = 'PasswordWorkBusy';
  }
}

async function limited<T>(task: () => Promise<T>): Promise<T> {
  const result = await work.run(task);
  if (!result.ok) throw new PasswordWorkBusy();
  return result.value;
}

/** argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's recommended minimum). */
export async function hashPassword(password: string): Promise<string> {
  return limited(() => hash(password, { algorithm: 2 /* Argon2id */ }));
}

// Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
// Made once, outside the limiter (it is made while a verify may be waiting for it).
let dummyHash: Promise<string> | undefined;

/**
 * Whether `password` matches; an unknown account (`undefined`) verifies against a dummy hash with
 * the same parameters, so the answer takes as long and does the same work. Throws
 * `PasswordWorkBusy` when too many checks wait already.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hash('parley-timing-equaliser', { algorithm: 2 });
  const against = passwordHash ?? (await dummyHash);
  const valid = await limited(() => verify(against, password).catch(() => false));
  return passwordHash !== undefined && valid;
}
