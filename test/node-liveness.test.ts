import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StateChange } from '../src/scaling/bus.js';
import { NodeLiveness, type LivenessStore } from '../src/scaling/node-liveness.js';
import { RedisChannelState } from '../src/scaling/redis-channel-state.js';
import { redisKeys } from '../src/scaling/redis-keys.js';
import { RedisLiveness } from '../src/scaling/redis-liveness.js';
import { RECONCILE } from '../src/scaling/redis-scripts.js';
import { ManualTimers } from '../src/time/timers.js';
import { dropRedisKeys, freshRedisPrefix, redisMissing, TEST_REDIS_URL } from './support/redis.js';

const logger = pino({ level: 'silent' });

/** A store where `node-dead` left a member and a channel behind and `node-alive` still beats. */
class FakeStore implements LivenessStore {
  beats = 0;
  sweepRounds = 0;
  failing = false;
  readonly swept: string[] = [];
  private readonly registered = new Set(['node-me', 'node-alive', 'node-dead']);
  private readonly held = new Map<string, StateChange[]>([
    ['node-dead', [{ type: 'member_removed', appId: 'a', channel: 'presence-x', member: { user_id: 'gone' } }, { type: 'vacated', appId: 'a', channel: 'presence-x' }]],
  ]);

  async beat(): Promise<void> {
    this.beats++;
    if (this.failing) throw new Error('beat failed');
  }

  async nodes(): Promise<string[]> {
    this.sweepRounds++;
    if (this.failing) throw new Error('sweep failed');
    return [...this.registered];
  }

  async sweep(node: string): Promise<StateChange[] | undefined> {
    this.swept.push(node);
    if (node === 'node-alive') return undefined;
    this.registered.delete(node);
    const changes = this.held.get(node) ?? [];
    this.held.delete(node);
    return changes;
  }
}

function setup(active = true) {
  const store = new FakeStore();
  const timers = new ManualTimers();
  const reported: StateChange[] = [];
  const failures: unknown[] = [];
  const state = { active };
  const liveness = new NodeLiveness({
    store,
    nodeId: 'node-me',
    heartbeatMs: 100,
    sweepMs: 500,
    timers,
    logger,
    active: () => state.active,
    failed: (error) => failures.push(error),
    report: (changes) => reported.push(...changes),
  });
  return { store, timers, reported, failures, state, liveness };
}

describe('NodeLiveness', () => {
  it.each([
    { when: 'while the store holds its state', active: true, stopHeartbeat: false, beats: 10, sweeps: 2 },
    { when: 'while the store does not hold its state', active: false, stopHeartbeat: false, beats: 0, sweeps: 0 },
    { when: 'once its heartbeat is stopped (a kill -9)', active: true, stopHeartbeat: true, beats: 0, sweeps: 2 },
  ])('with a 100 ms heartbeat and a 500 ms sweep, over one second $when: $beats beats and $sweeps sweeps', ({ active, stopHeartbeat, beats, sweeps }) => {
    const { store, timers, liveness } = setup(active);
    if (stopHeartbeat) liveness.stopHeartbeat();
    timers.advance(1_000);
    expect({ beats: store.beats, sweeps: store.sweepRounds }).toEqual({ beats, sweeps });
  });

  it('sweeps every other node, never itself, and reports only what dead nodes held', async () => {
    const { store, reported, liveness } = setup();
    await liveness.sweep();
    expect(store.swept).toEqual(['node-alive', 'node-dead']);
    expect(reported).toEqual([
      { type: 'member_removed', appId: 'a', channel: 'presence-x', member: { user_id: 'gone' } },
      { type: 'vacated', appId: 'a', channel: 'presence-x' },
    ]);
    await liveness.sweep();
    expect(store.swept).toEqual(['node-alive', 'node-dead', 'node-alive']);
    expect(reported).toHaveLength(2);
  });

  it('reports a failed beat and a failed sweep as failures of the store', async () => {
    const { store, failures, liveness } = setup();
    store.failing = true;
    liveness.beat();
    await liveness.sweep();
    await expect.poll(() => failures.map((error) => (error as Error).message).sort()).toEqual(['beat failed', 'sweep failed']);
  });

  it('leaves no timer behind once stopped', () => {
    const { store, timers, liveness } = setup();
    liveness.stop();
    expect(timers.pending).toBe(0);
    timers.advance(10_000);
    expect({ beats: store.beats, sweeps: store.sweepRounds }).toEqual({ beats: 0, sweeps: 0 });
  });
});

describe('Redis key names', () => {
  const keys = redisKeys('p:');

  it.each([
    ['bus channel', keys.busChannel, 'p:bus'],
    ['node registry', keys.nodes, 'p:nodes'],
    ['heartbeat', keys.heartbeat('n1'), 'p:node:n1'],
    ['node entries', keys.nodeSockets('n1'), 'p:node-sockets:n1'],
    ['subscriptions', keys.subs('app', 'private-c'), 'p:subs:app:private-c'],
    ['channel index', keys.channels('app'), 'p:channels:app'],
    ['presence roster', keys.presence('app', 'presence-c'), 'p:presence:app:presence-c'],
    ['cache', keys.cache('app', 'cache-c'), 'p:cache:app:cache-c'],
  ])('names the %s key %s', (_what, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('spells the keys RECONCILE builds itself as the key module does', () => {
    for (const [name, key] of [['subs:', keys.subs('A', 'C')], ['presence:', keys.presence('A', 'C')]] as const) {
      expect(RECONCILE.source).toContain(`'${name}'`);
      expect(key).toBe(`p:${name}A:C`);
    }
    expect(RECONCILE.source).toContain("prefix .. 'channels:' .. t.app");
    expect(keys.channels('A')).toBe('p:channels:A');
  });
});

describe.skipIf(redisMissing)('RedisLiveness', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterEach(async () => dropRedisKeys(prefixes.splice(0)));
  afterAll(async () => {
    await redis.quit();
  });

  const cluster = () => {
    const keys = redisKeys(freshRedisPrefix('liveness'));
    prefixes.push(keys.prefix);
    const node = (nodeId: string) => ({ state: new RedisChannelState(redis, keys, nodeId), liveness: new RedisLiveness(redis, keys, nodeId, 100) });
    return { keys, node };
  };

  it('sweeps a node only once its heartbeat key is gone, reporting what it held, once', async () => {
    const { keys, node } = cluster();
    const [a, b] = [node('node-a'), node('node-b')];
    await a.state.join('app', 'presence-x', '1.1');
    await a.state.addMember('app', 'presence-x', '1.1', { user_id: 'gone' });
    await b.state.join('app', 'presence-x', '2.1');
    await a.liveness.beat();
    expect(await b.liveness.sweep('node-a')).toBeUndefined();

    // As the heartbeat's expiry would, without waiting for it.
    await redis.del(keys.heartbeat('node-a'));
    expect(await b.liveness.sweep('node-a')).toEqual([{ type: 'member_removed', appId: 'app', channel: 'presence-x', member: { user_id: 'gone' } }]);
    expect(await b.liveness.nodes()).not.toContain('node-a');
    expect(await b.state.subscriptionCount('app', 'presence-x')).toBe(1);
    expect(await b.liveness.sweep('node-a')).toEqual([]);
  });

  it('beats with a heartbeat that expires after three missed beats', async () => {
    const { keys, node } = cluster();
    await node('node-a').liveness.beat();
    expect(await node('node-b').liveness.nodes()).toEqual(['node-a']);
    const ttl = await redis.pttl(keys.heartbeat('node-a'));
    expect(ttl).toBeGreaterThan(200);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('rejoins by replacing what Redis holds for the node with its snapshot, and reports what that changed', async () => {
    const { keys, node } = cluster();
    const a = node('node-a');
    await a.state.join('app', 'stale', '1.1');
    await a.state.join('app', 'kept', '1.1');
    const changes = await a.liveness.rejoin({ subscriptions: [['app', 'kept', '1.1'], ['app', 'new', '1.2']], members: [['app', 'presence-x', '1.2', { user_id: 'ann' }]] });
    expect(changes).toEqual(
      expect.arrayContaining([
        { type: 'vacated', appId: 'app', channel: 'stale' },
        { type: 'occupied', appId: 'app', channel: 'new' },
        { type: 'member_added', appId: 'app', channel: 'presence-x', member: { user_id: 'ann' } },
      ]),
    );
    expect(changes).toHaveLength(3);
    expect(Object.fromEntries(await a.state.channels('app'))).toEqual({ kept: 1, new: 1 });
    expect(await redis.exists(keys.heartbeat('node-a'))).toBe(1);
    await a.liveness.retire();
    expect(await redis.exists(keys.heartbeat('node-a'))).toBe(0);
  });
});
