import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../src/storage/database.js';
import { EmailQueueStore, type NewEmail } from '../src/storage/email-queue-store.js';
import { EmailSuppressionStore } from '../src/storage/email-suppression-store.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const LEASE = 60_000;

const email = (n: number, extra: Partial<NewEmail> = {}): NewEmail => ({
  to: `visitor${n}@example.test`,
  subject: `Reply ${n}`,
  text: `text ${n}`,
  html: `<p>html ${n}</p>`,
  kind: 'test',
  ...extra,
});

describe.each(ENGINES)('the email queue on %s', (engine) => {
  let storage: Storage;
  let queue: EmailQueueStore;
  let suppressions: EmailSuppressionStore;

  beforeEach(async (context) => {
    if (skipEngine(engine)) return context.skip();
    storage = await freshStorage(engine);
    queue = new EmailQueueStore(storage.db, storage.engine);
    suppressions = new EmailSuppressionStore(storage.db);
  });
  afterEach(async () => {
    await storage?.close();
  });

  it('queues an email once per dedupe key, and any number without one', async () => {
    expect(await queue.enqueue(email(1, { dedupeKey: 'follow-up:7:3' }), NOW)).toEqual({ status: 'queued', id: expect.any(Number) });
    expect(await queue.enqueue(email(2, { dedupeKey: 'follow-up:7:3' }), NOW)).toEqual({ status: 'duplicate' });
    await queue.enqueue(email(3), NOW);
    await queue.enqueue(email(3), NOW);
    expect(await queue.counts()).toEqual({ pending: 3, sent: 0, failed: 0, suppressed: 0 });
  });

  it('claims only due rows, oldest first, and counts an attempt on each claim', async () => {
    await queue.enqueue(email(1, { sendAfter: NOW + 1000 }), NOW);
    await queue.enqueue(email(2), NOW);
    await queue.enqueue(email(3, { sendAfter: NOW - 5000 }), NOW);

    const claimed = await queue.claimDue('a', NOW, LEASE, 10);

    expect(claimed.map((row) => [row.subject, row.attempts, row.claimed_by, row.lease_until])).toEqual([
      ['Reply 3', 1, 'a', NOW + LEASE],
      ['Reply 2', 1, 'a', NOW + LEASE],
    ]);
  });

  it('claims no more rows than asked for, leaving the rest to the next claim', async () => {
    for (let n = 0; n < 10; n++) await queue.enqueue(email(n), NOW);

    expect(await queue.claimDue('a', NOW, LEASE, 3)).toHaveLength(3);
    expect((await queue.claimDue('b', NOW, LEASE, 3)).map((row) => row.subject)).toEqual(['Reply 3', 'Reply 4', 'Reply 5']);
  });

  it('never hands a leased row to a second node until the lease expires (a node that died mid-send)', async () => {
    await queue.enqueue(email(1), NOW);
    const [first] = await queue.claimDue('a', NOW, LEASE, 10);

    expect(await queue.claimDue('b', NOW + LEASE - 1, LEASE, 10)).toEqual([]);
    const [again] = await queue.claimDue('b', NOW + LEASE, LEASE, 10);
    expect(again).toMatchObject({ id: first?.id, claimed_by: 'b', attempts: 2 });
    // The first node's late answer no longer settles the row: it belongs to b now.
    expect(await queue.markSent(first?.id ?? 0, 'a', NOW + LEASE)).toBe(false);
    expect(await queue.markSent(first?.id ?? 0, 'b', NOW + LEASE)).toBe(true);
    expect(await queue.get(first?.id ?? 0)).toMatchObject({ status: 'sent', sent_at: NOW + LEASE, lease_until: null });
  });

  it('splits a burst between concurrent claimants without giving any row to both', async () => {
    for (let n = 0; n < 30; n++) await queue.enqueue(email(n), NOW);

    const claims = await Promise.all(['a', 'b', 'c'].map((node) => queue.claimDue(node, NOW, LEASE, 12)));

    const ids = claims.flat().map((row) => row.id);
    expect(ids).toHaveLength(new Set(ids).size);
    expect(ids).toHaveLength(30);
  });

  it('puts a failed row back for a later attempt, and gives up on it', async () => {
    await queue.enqueue(email(1), NOW);
    const [row] = await queue.claimDue('a', NOW, LEASE, 10);
    await queue.markRetry(row?.id ?? 0, 'a', NOW + 30_000, '421 try later');

    expect(await queue.claimDue('a', NOW + 29_999, LEASE, 10)).toEqual([]);
    const [retry] = await queue.claimDue('a', NOW + 30_000, LEASE, 10);
    expect(retry).toMatchObject({ attempts: 2, last_error: '421 try later' });
    await queue.markDone(retry?.id ?? 0, 'a', 'failed', '550 no such mailbox');
    expect(await queue.claimDue('a', NOW + 10 * LEASE, LEASE, 10)).toEqual([]);
    expect(await queue.counts()).toEqual({ pending: 0, sent: 0, failed: 1, suppressed: 0 });
  });

  it('remembers unsubscribed addresses whatever their case, and a second unsubscribe is harmless', async () => {
    await suppressions.suppress('Ann@Shop.Example', NOW);
    await suppressions.suppress('ann@shop.example ', NOW);

    expect(await suppressions.isSuppressed('ann@shop.example')).toBe(true);
    expect(await suppressions.isSuppressed('ANN@SHOP.EXAMPLE')).toBe(true);
    expect(await suppressions.isSuppressed('bob@shop.example')).toBe(false);
  });
});
