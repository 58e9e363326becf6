import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusMessage, StateChange } from '../src/scaling/bus.js';
import { RedisBus, type RedisBusOptions } from '../src/scaling/redis-bus.js';
import { RedisChannelState } from '../src/scaling/redis-channel-state.js';
import { RedisFanOut } from '../src/scaling/redis-fan-out.js';
import { redisKeys, type RedisKeys } from '../src/scaling/redis-keys.js';
import { RedisLink } from '../src/scaling/redis-link.js';
import { registerBusContract, registerChannelStateContract, registerFanOutContract } from './support/bus-contract.js';
import { dropRedisKeys, freshRedisPrefix, redisMissing, redisTarget, redisUrlVia, TEST_REDIS_URL } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

const logger = pino({ level: 'silent' });
const prefixes: string[] = [];
const opened: RedisBus[] = [];
const links: RedisLink[] = [];

const freshPrefix = (): string => {
  const prefix = freshRedisPrefix();
  prefixes.push(prefix);
  return prefix;
};

/** A bus on the test Redis, once it holds its node's state. */
const makeBus = async (keyPrefix: string, options: Partial<RedisBusOptions> = {}): Promise<RedisBus> => {
  const bus = new RedisBus({ url: TEST_REDIS_URL, keyPrefix, logger, ...options });
  opened.push(bus);
  if (!(await bus.ready())) throw new Error(`the Redis bus did not connect to ${TEST_REDIS_URL}`);
  return bus;
};

/** Both connections of a Redis link on a fresh prefix, once they are up and listening. */
const openLink = async (): Promise<{ link: RedisLink; keys: RedisKeys }> => {
  const keys = redisKeys(freshPrefix());
  const link = new RedisLink(TEST_REDIS_URL, keys.busChannel);
  links.push(link);
  await new Promise<void>((resolve) => link.onChange({ up: () => link.up && resolve(), down: () => undefined }));
  return { link, keys };
};

afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close().catch(() => undefined)));
  for (const link of links.splice(0)) link.disconnect();
  await dropRedisKeys(prefixes.splice(0));
});

describe.skipIf(redisMissing)('RedisBus', () => {
  registerBusContract('redis', async () => makeBus(freshPrefix()));
  registerFanOutContract('redis pub/sub alone', async () => new RedisFanOut((await openLink()).link, 'node-a', logger));
  registerChannelStateContract('redis hashes and scripts alone', async () => {
    const { link, keys } = await openLink();
    return new RedisChannelState(link.commands, keys, 'node-a');
  });

  describe('two nodes on one Redis', () => {
    const twoNodes = async () => {
      const prefix = freshPrefix();
      return Promise.all([makeBus(prefix, { nodeId: 'node-a' }), makeBus(prefix, { nodeId: 'node-b' })]);
    };

    it('delivers a message published on one node to both nodes', async () => {
      const [a, b] = await twoNodes();
      const onA: BusMessage[] = [];
      const onB: BusMessage[] = [];
      a.onMessage((m) => onA.push(m));
      b.onMessage((m) => onB.push(m));
      await b.publish({ type: 'terminate', appId: 'a', userId: 'u' });
      const message: BusMessage = { type: 'channel', appId: 'a', channel: 'c', frame: '{"event":"x"}' };
      await a.publish(message);
      await expect.poll(() => onB.length).toBe(2);
      await expect.poll(() => onA.length).toBe(2);
      expect(onB[1]).toEqual(message);
      expect(onA[1]).toEqual(message);
    });

    it('flags only the first join and the last leave of a channel across nodes', async () => {
      const [a, b] = await twoNodes();
      expect(await a.join('a', 'c', '1.1')).toEqual({ count: 1, first: true });
      expect(await b.join('a', 'c', '2.2')).toEqual({ count: 2, first: false });
      expect(await a.leave('a', 'c', '1.1')).toEqual({ count: 1, last: false });
      expect(await b.leave('a', 'c', '2.2')).toEqual({ count: 0, last: true });
    });

    it('flags a user first and last only once when connected through both nodes', async () => {
      const [a, b] = await twoNodes();
      const ann = { user_id: 'u1', user_info: { name: 'Ann' } };
      expect(await a.addMember('a', 'presence-x', '1.1', ann)).toEqual({ firstForUser: true });
      expect(await b.addMember('a', 'presence-x', '2.2', ann)).toEqual({ firstForUser: false });
      expect(await a.members('a', 'presence-x')).toEqual([ann]);
      expect(await b.members('a', 'presence-x')).toEqual([ann]);
      expect(await a.removeMember('a', 'presence-x', '1.1')).toEqual({ member: ann, lastForUser: false });
      expect(await b.removeMember('a', 'presence-x', '2.2')).toEqual({ member: ann, lastForUser: true });
      expect(await a.members('a', 'presence-x')).toEqual([]);
    });

    it('gives exactly one first join and one first member when nodes race', async () => {
      const [a, b] = await twoNodes();
      const joins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).join('a', 'c', `${i}.${i}`)));
      expect(joins.filter((r) => r.first)).toHaveLength(1);
      const adds = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).addMember('a', 'presence-x', `${i}.${i}`, { user_id: 'u1' })));
      expect(adds.filter((r) => r.firstForUser)).toHaveLength(1);
      const removals = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).removeMember('a', 'presence-x', `${i}.${i}`)));
      expect(removals.filter((r) => r.lastForUser)).toHaveLength(1);
    });

    it('keeps working after Redis forgets its loaded scripts', async () => {
      const [a] = await twoNodes();
      const admin = new Redis(TEST_REDIS_URL);
      try {
        await admin.script('FLUSH');
      } finally {
        await admin.quit();
      }
      expect(await a.join('a', 'c', '1.1')).toEqual({ count: 1, first: true });
    });

    it('answers channel occupancy for the whole cluster', async () => {
      const [a, b] = await twoNodes();
      await a.join('a', 'only-on-a', '1.1');
      await a.join('a', 'both', '1.1');
      await b.join('a', 'both', '2.2');
      expect(Object.fromEntries(await b.channels('a'))).toEqual({ 'only-on-a': 1, both: 2 });
      expect(await b.subscriptionCount('a', 'only-on-a')).toBe(1);
    });

    it('removes the subscriptions and members of a node whose heartbeat stopped', async () => {
      const prefix = freshPrefix();
      const timing = { heartbeatMs: 100, sweepMs: 100 };
      const a = await makeBus(prefix, { nodeId: 'node-a', ...timing });
      const b = await makeBus(prefix, { nodeId: 'node-b', ...timing });
      await a.join('a', 'presence-x', '1.1');
      await a.addMember('a', 'presence-x', '1.1', { user_id: 'u1' });
      await b.join('a', 'presence-x', '2.2');
      await b.addMember('a', 'presence-x', '2.2', { user_id: 'u2' });
      // Let one sweep pass while both are alive: nothing of A's may go.
      await b.sweep();
      expect(await b.subscriptionCount('a', 'presence-x')).toBe(2);

      a.stopHeartbeat();
      await expect.poll(async () => (await b.members('a', 'presence-x')).map((m) => m.user_id), { timeout: 5_000 }).toEqual(['u2']);
      expect(await b.subscriptionCount('a', 'presence-x')).toBe(1);
      expect(Object.fromEntries(await b.channels('a'))).toEqual({ 'presence-x': 1 });
    });

    it('empties the channel index when a dead node held the last subscription', async () => {
      const prefix = freshPrefix();
      const timing = { heartbeatMs: 100, sweepMs: 100 };
      const a = await makeBus(prefix, { nodeId: 'node-a', ...timing });
      const b = await makeBus(prefix, { nodeId: 'node-b', ...timing });
      await a.join('a', 'c', '1.1');
      a.stopHeartbeat();
      await expect.poll(async () => (await b.channels('a')).size, { timeout: 5_000 }).toBe(0);
      expect(await b.subscriptionCount('a', 'c')).toBe(0);
    });
    it('reports the members and channels a dead node took with it, to exactly one sweeper', async () => {
      const prefix = freshPrefix();
      const timing = { heartbeatMs: 100, sweepMs: 100 };
      const [a, b, c] = await Promise.all(['node-a', 'node-b', 'node-c'].map((nodeId) => makeBus(prefix, { nodeId, ...timing })));
      const changes: StateChange[] = [];
      b!.onStateChange((change) => changes.push(change));
      c!.onStateChange((change) => changes.push(change));
      await a!.join('a', 'presence-x', '1.1');
      await a!.addMember('a', 'presence-x', '1.1', { user_id: 'gone', user_info: { name: 'Gone' } });
      await a!.addMember('a', 'presence-x', '1.2', { user_id: 'stays' });
      await b!.addMember('a', 'presence-x', '2.1', { user_id: 'stays' });
      await a!.join('a', 'private-only-a', '1.1');

      a!.stopHeartbeat();
      await expect.poll(() => changes.length, { timeout: 5_000 }).toBe(3);
      // Further sweeps by either node find nothing left to report.
      await Promise.all([b!.sweep(), c!.sweep()]);
      expect(changes).toHaveLength(3);
      expect(changes).toEqual(
        expect.arrayContaining([
          { type: 'member_removed', appId: 'a', channel: 'presence-x', member: { user_id: 'gone', user_info: { name: 'Gone' } } },
          { type: 'vacated', appId: 'a', channel: 'presence-x' },
          { type: 'vacated', appId: 'a', channel: 'private-only-a' },
        ]),
      );
      expect(await b!.members('a', 'presence-x')).toEqual([{ user_id: 'stays' }]);
    });
  });

  describe('when Redis goes away', () => {
    let proxy: TcpProxy;
    beforeEach(async () => {
      proxy = await TcpProxy.start(redisTarget());
    });
    afterEach(async () => proxy.close());

    const viaProxy = (): string => redisUrlVia(proxy.port);

    registerBusContract('the failover bus behind a TCP proxy', async () => makeBus(freshPrefix(), { url: viaProxy() }));
    registerBusContract('the failover bus while the TCP proxy is cut (its local copy answers)', async () => {
      const bus = await makeBus(freshPrefix(), { url: viaProxy() });
      await proxy.cut();
      await expect.poll(() => bus.connected).toBe(false);
      return bus;
    });

    it('keeps serving its own clients, then resynchronises and tells the cluster what changed', async () => {
      const prefix = freshPrefix();
      const timing = { heartbeatMs: 100, sweepMs: 100 };
      const a = await makeBus(prefix, { nodeId: 'node-a', url: viaProxy(), ...timing });
      const b = await makeBus(prefix, { nodeId: 'node-b', ...timing });
      const onA: BusMessage[] = [];
      const onB: BusMessage[] = [];
      a.onMessage((m) => onA.push(m));
      b.onMessage((m) => onB.push(m));
      const changesOnA: StateChange[] = [];
      const changesOnB: StateChange[] = [];
      a.onStateChange((change) => changesOnA.push(change));
      b.onStateChange((change) => changesOnB.push(change));
      await a.join('a', 'presence-x', '1.1');
      await a.addMember('a', 'presence-x', '1.1', { user_id: 'ann' });

      await proxy.cut();
      await expect.poll(() => a.connected).toBe(false);
      // A's own clients still get A's broadcasts, and A answers from what it holds itself.
      const local: BusMessage = { type: 'channel', appId: 'a', channel: 'presence-x', frame: '{"event":"during"}' };
      await a.publish(local);
      expect(onA).toEqual([local]);
      expect(await a.join('a', 'private-new', '1.1')).toEqual({ count: 1, first: true });
      expect(await a.members('a', 'presence-x')).toEqual([{ user_id: 'ann' }]);
      // B stops counting A once its heartbeat expires.
      await expect.poll(() => changesOnB, { timeout: 5_000 }).toContainEqual({ type: 'member_removed', appId: 'a', channel: 'presence-x', member: { user_id: 'ann' } });
      expect(onB).toEqual([]);

      await proxy.restore();
      await expect.poll(() => a.connected, { timeout: 10_000 }).toBe(true);
      expect(changesOnA).toContainEqual({ type: 'member_added', appId: 'a', channel: 'presence-x', member: { user_id: 'ann' } });
      expect(changesOnA).toContainEqual(expect.objectContaining({ type: 'resynced' }));
      expect(await b.members('a', 'presence-x')).toEqual([{ user_id: 'ann' }]);
      expect(Object.fromEntries(await b.channels('a'))).toEqual({ 'presence-x': 1, 'private-new': 1 });
      const after: BusMessage = { type: 'channel', appId: 'a', channel: 'presence-x', frame: '{"event":"after"}' };
      await b.publish(after);
      await expect.poll(() => onA.at(-1)).toEqual(after);
    });

    it('starts while Redis is down, serving its own clients, and joins the cluster when it comes up', async () => {
      await proxy.cut();
      const prefix = freshPrefix();
      const a = new RedisBus({ url: viaProxy(), keyPrefix: prefix, logger, nodeId: 'node-a', heartbeatMs: 100, sweepMs: 100 });
      opened.push(a);
      expect(await a.ready(300)).toBe(false);
      expect(await a.join('a', 'c', '1.1')).toEqual({ count: 1, first: true });
      await proxy.restore();
      expect(await a.ready(10_000)).toBe(true);
      const b = await makeBus(prefix, { nodeId: 'node-b' });
      expect(await b.subscriptionCount('a', 'c')).toBe(1);
    });
  });
});
