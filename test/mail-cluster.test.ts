import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mailFor, type Mail } from '../src/compose/mail-for.js';
import { createHasher } from '../src/security/hashing.js';
import { openStorage, type Storage } from '../src/storage/database.js';
import { ManualClock } from '../src/time/clock.js';
import { ManualTimers } from '../src/time/timers.js';
import { freshStorage, skipEngine, TEST_DATABASE_URL } from './support/engines.js';
import { testConfig } from './support/harness.js';
import { TestSmtpServer } from './support/smtp-server.js';

/** Two nodes, each with its own connection pool and worker, on one PostgreSQL database: each email goes out once. */
describe('two nodes sending one PostgreSQL queue', () => {
  let smtp: TestSmtpServer;
  let storages: Storage[];
  let nodes: Mail[];
  let clock: ManualClock;

  beforeEach(async (context) => {
    if (skipEngine('pgsql')) return context.skip();
    smtp = await TestSmtpServer.start();
    const first = await freshStorage('pgsql');
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(first.db)).rows[0]?.schema ?? '';
    const second = openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL }, { searchPath: schema });
    storages = [second, first];
    const config = testConfig({ MAIL_MAILER: 'smtp', MAIL_HOST: '127.0.0.1', MAIL_PORT: String(smtp.port), MAIL_FROM_ADDRESS: 'chat@shop.example' });
    clock = new ManualClock(Date.now());
    const timers = new ManualTimers(clock);
    nodes = [first, second].map((storage, i) =>
      mailFor(config, { storage, hasher: createHasher(config.appKey), clock: clock, timers, logger: pino({ level: 'silent' }), nodeId: `node-${i}`, worker: { batchSize: 3 } }),
    );
  });
  afterEach(async () => {
    for (const node of nodes ?? []) await node.close();
    for (const storage of storages ?? []) await storage.close();
    await smtp?.close();
  });

  it('sends each of a burst exactly once when both workers run at the same time', async () => {
    const [a, b] = nodes as [Mail, Mail];
    const now = clock.now();
    for (let n = 0; n < 40; n++) await a.queue.enqueue({ to: `v${n}@example.test`, subject: `Reply ${n}`, text: 't', html: '<p>t</p>', kind: 'test' }, now);

    const [byA, byB] = await Promise.all([a.worker.runOnce(), b.worker.runOnce()]);
    await smtp.waitFor(40);

    expect(byA.sent + byB.sent).toBe(40);
    // Both took part: the claims interleaved rather than one node finding the queue empty.
    expect(Math.min(byA.sent, byB.sent)).toBeGreaterThan(0);
    expect(smtp.received).toHaveLength(40);
    expect([...smtp.subjectCounts().values()].every((count) => count === 1)).toBe(true);
    expect(await b.queue.counts()).toEqual({ pending: 0, sent: 40, failed: 0, suppressed: 0 });
  });

  it('queues the same logical email once whichever node asks', async () => {
    const [a, b] = nodes as [Mail, Mail];
    const request = { to: 'ann@example.test', kind: 'test', draft: { subject: 'Once', blocks: [] }, dedupeKey: 'follow-up:1:9' };

    const outcomes = await Promise.all([a.outbox.enqueue(request), b.outbox.enqueue(request)]);
    await Promise.all([a.worker.runOnce(), b.worker.runOnce()]);
    await smtp.waitFor(1);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'queued']);
    expect(smtp.subjectCounts()).toEqual(new Map([['Once', 1]]));
  });
});
