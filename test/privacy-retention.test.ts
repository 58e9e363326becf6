import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../src/chat/events.js';
import { createParley } from '../src/main.js';
import { openStorage } from '../src/storage/database.js';
import { reduceIp } from '../src/storage/retention-store.js';
import { ENGINES, pgMissing, TEST_DATABASE_URL } from './support/engines.js';
import { startHarness, testConfig, useHarness, type Harness } from './support/harness.js';

/** Retention in `parley start` (docs/privacy.md, "Retention"): auto-close, IP reduction, the daily run. */

const HOUR = 3_600_000;
let n = 0;
const start = async (h: Harness, ip = '198.51.100.77') => {
  n += 1;
  const res = await h.request({ method: 'POST', url: '/api/chat/start', ip, json: { fingerprint: `fp${String(n).padStart(14, '0')}retain`, message: 'Hi' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ conversation: { id: number } }>().conversation.id;
};
const closesOf = (events: ChatEvent[], id: number) => events.filter((e) => e.name === 'ConversationUpdated' && e.conversation.id === id && e.conversation.status === 'closed');

describe('reduceIp', () => {
  it('zeroes the last octet of IPv4 and the last 80 bits of IPv6', () => {
    expect(reduceIp('198.51.100.77')).toBe('198.51.100.0');
    expect(reduceIp('2001:db8:85a3:1234:5678:8a2e:370:7334')).toBe('2001:db8:85a3::');
    expect(reduceIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(reduceIp('::1')).toBe('0:0:0::');
    expect(reduceIp('::ffff:203.0.113.9')).toBe('::ffff:203.0.113.0');
    expect(reduceIp('not an ip')).toBe('0.0.0.0');
    expect(reduceIp(reduceIp('198.51.100.77'))).toBe('198.51.100.0');
  });
});

describe.each(ENGINES)('retention sweep on %s', (engine) => {
  const harness = useHarness(engine, { CHAT_AUTO_CLOSE_HOURS: '2' });

  it('closes open conversations idle past CHAT_AUTO_CLOSE_HOURS, once, publishing the close like an agent close', async () => {
    const h = harness.h;
    const idle = await start(h);
    h.clock.advance(HOUR);
    const busy = await start(h);
    expect((await h.parley.retention.runOnce()).closed).toBe(0);
    h.clock.advance(1.5 * HOUR);
    expect((await h.parley.retention.runOnce()).closed).toBe(1);
    expect((await h.parley.storage.db.selectFrom('conversations').select(['id', 'status']).orderBy('id').execute())).toEqual([
      { id: idle, status: 'closed' },
      { id: busy, status: 'open' },
    ]);
    expect(closesOf(h.events.events, idle)).toHaveLength(1);
    expect((await h.parley.retention.runOnce()).closed).toBe(0);
    expect(closesOf(h.events.events, idle)).toHaveLength(1);
  });

  it('reduces the IPs of conversations past the resume window, and only those', async () => {
    const h = harness.h;
    const old4 = await start(h, '198.51.100.77');
    const old6 = await start(h, '2001:db8:85a3:1234:5678:8a2e:370:7334');
    h.clock.advance(25 * HOUR);
    const fresh = await start(h, '192.0.2.55');
    expect((await h.parley.retention.runOnce()).reducedIps).toBe(2);
    const ips = await h.parley.storage.db.selectFrom('conversations').select(['id', 'client_ip']).orderBy('id').execute();
    expect(ips).toEqual([
      { id: old4, client_ip: '198.51.100.0' },
      { id: old6, client_ip: '2001:db8:85a3::' },
      { id: fresh, client_ip: '192.0.2.55' },
    ]);
    expect((await h.parley.retention.runOnce()).reducedIps).toBe(0);
  });
});

describe.skipIf(pgMissing)('daily retention run on PostgreSQL with two nodes', () => {
  it('runs once across the nodes, then again a day later', async () => {
    const env = { CHAT_RETENTION_DAYS: '1' };
    const one = await startHarness('pgsql', env);
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(one.parley.storage.db)).rows[0]?.s ?? '';
    const second = openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL }, { searchPath: schema });
    const two = await createParley(testConfig(env), pino({ level: 'silent' }), { clock: one.clock, storage: second });
    try {
      const admin = (await one.loginAs()).headers;
      const id = await start(one);
      expect((await one.request({ method: 'POST', url: `/api/agent/conversations/${id}/close`, json: {}, headers: admin })).statusCode).toBe(200);
      one.clock.advance(25 * 3_600_000);
      const runs = await Promise.all([one.parley.retention.runOnce(), two.retention.runOnce(), one.parley.retention.runOnce(), two.retention.runOnce()]);
      expect(runs.filter((r) => r.dailyRun)).toHaveLength(1);
      expect(await one.parley.storage.db.selectFrom('conversations').select('id').execute()).toEqual([]);
      one.clock.advance(3_600_000);
      expect((await two.retention.runOnce()).dailyRun).toBe(false);
      one.clock.advance(24 * 3_600_000);
      const later = await Promise.all([one.parley.retention.runOnce(), two.retention.runOnce()]);
      expect(later.filter((r) => r.dailyRun)).toHaveLength(1);
    } finally {
      await two.close();
      await one.close();
    }
  });
});

