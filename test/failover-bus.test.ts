import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusMessage, StateChange } from '../src/scaling/bus.js';
import { FailoverBus } from '../src/scaling/failover-bus.js';
import { ManualTimers } from '../src/time/timers.js';
import { registerBusContract } from './support/bus-contract.js';
import { FakeRemote } from './support/fake-remote.js';

const RETRY_MS = 1_000;
const opened: FailoverBus[] = [];

/** A failover bus over a fake remote, with its clock and timers moved by hand and its logs kept. */
function setup() {
  const remote = new FakeRemote();
  const timers = new ManualTimers();
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as { level: number; msg: string }) });
  const bus = new FailoverBus({ remote, logger, remoteName: 'Remote', retryMs: RETRY_MS, clock: timers.clock, timers });
  opened.push(bus);
  const changes: StateChange[] = [];
  bus.onStateChange((change) => changes.push(change));
  const errors = () => logs.filter((entry) => entry.level >= 50).map((entry) => entry.msg);
  return { remote, timers, bus, changes, logs, errors };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});

registerBusContract('the failover bus over a remote that holds its state', async () => {
  const { remote, bus } = setup();
  remote.link.connect();
  await bus.ready();
  return bus;
});

registerBusContract('the failover bus while its remote is unreachable', async () => {
  const { remote, bus } = setup();
  remote.link.connect();
  await bus.ready();
  remote.failing = true;
  remote.link.drop();
  return bus;
});

describe('FailoverBus', () => {
  it('serves its own clients from the local copy until the link first comes up, then puts that copy into the remote', async () => {
    const { remote, bus, changes } = setup();
    expect(bus.connected).toBe(false);
    expect(await bus.join('a', 'c', '1.1')).toEqual({ count: 1, first: true });
    expect(await remote.cluster.subscriptionCount('a', 'c')).toBe(0);

    remote.link.connect();
    expect(await bus.ready()).toBe(true);
    expect(remote.resyncs).toEqual([{ subscriptions: [['a', 'c', '1.1']], members: [] }]);
    // The first connection is no outage: nothing to report.
    expect(changes).toEqual([]);
  });

  it('answers from the remote, for the whole cluster, while the remote holds its state', async () => {
    const { remote, bus } = setup();
    remote.link.connect();
    await bus.ready();
    await remote.cluster.join('a', 'c', '9.9');
    expect(await bus.join('a', 'c', '1.1')).toEqual({ count: 2, first: false });
    expect(Object.fromEntries(await bus.channels('a'))).toEqual({ c: 2 });
  });

  it('answers from the local copy as soon as a remote call fails, and logs the outage once', async () => {
    const { remote, bus, errors } = setup();
    remote.link.connect();
    await bus.ready();
    await remote.cluster.addMember('a', 'presence-x', '9.9', { user_id: 'someone-else' });
    await bus.addMember('a', 'presence-x', '1.1', { user_id: 'ann' });

    remote.failing = true;
    expect(await bus.members('a', 'presence-x')).toEqual([{ user_id: 'ann' }]);
    expect(bus.connected).toBe(false);
    expect(await bus.subscriptionCount('a', 'presence-x')).toBe(0);
    remote.link.drop();
    expect(errors()).toEqual(['remote bus: Remote unreachable; serving this node\'s clients only until it is back']);
  });

  it('delivers to its own handlers only while the remote is unreachable, through the remote otherwise', async () => {
    const { remote, bus } = setup();
    const onThisNode: BusMessage[] = [];
    const onOtherNode: BusMessage[] = [];
    bus.onMessage((message) => onThisNode.push(message));
    remote.cluster.onMessage((message) => onOtherNode.push(message));
    const during: BusMessage = { type: 'terminate', appId: 'a', userId: 'during' };
    await bus.publish(during);
    expect([onThisNode, onOtherNode]).toEqual([[during], []]);

    remote.link.connect();
    await bus.ready();
    const after: BusMessage = { type: 'terminate', appId: 'a', userId: 'after' };
    await bus.publish(after);
    expect([onThisNode, onOtherNode]).toEqual([[during, after], [after]]);
  });

  it('reports what the resync changed, then resynced with the outage length on its clock', async () => {
    const { remote, timers, bus, changes } = setup();
    remote.link.connect();
    await bus.ready();
    remote.link.drop();
    timers.advance(1_500);
    const ann = { user_id: 'ann' };
    remote.answerResync = async () => [{ type: 'member_added', appId: 'a', channel: 'presence-x', member: ann }];

    remote.link.connect();
    expect(await bus.ready()).toBe(true);
    expect(changes).toEqual([
      { type: 'member_added', appId: 'a', channel: 'presence-x', member: ann },
      { type: 'resynced', outageMs: 1_500 },
    ]);
  });

  it('resyncs again, with the new copy, when its own clients changed channels while a resync ran', async () => {
    const { remote, bus } = setup();
    let finishFirst = (): void => undefined;
    remote.answerResync = () => new Promise((resolve) => (finishFirst = () => resolve([])));
    remote.link.connect();
    await bus.join('a', 'joined-during-resync', '1.1');
    remote.answerResync = async () => [];
    finishFirst();

    expect(await bus.ready()).toBe(true);
    expect(remote.resyncs.map((s) => s.subscriptions)).toEqual([[], [['a', 'joined-during-resync', '1.1']]]);
  });

  it('gives up after five resyncs that all raced with its clients, and tries again on the next retry tick', async () => {
    const { remote, timers, bus, logs } = setup();
    remote.answerResync = async () => {
      await bus.join('a', 'c', `${remote.resyncs.length}.1`);
      return [];
    };
    remote.link.connect();
    await expect.poll(() => logs.map((entry) => entry.msg)).toContain('remote bus: state kept changing during resync; retrying later');
    expect(remote.resyncs).toHaveLength(5);
    expect(bus.connected).toBe(false);

    remote.answerResync = async () => [];
    timers.advance(RETRY_MS);
    expect(await bus.ready()).toBe(true);
    expect(remote.resyncs).toHaveLength(6);
  });

  it('reports a failed resync as the same outage, and resyncs once the link is back', async () => {
    const { remote, bus, errors } = setup();
    remote.link.connect();
    await bus.ready();
    remote.failing = true;
    await bus.join('a', 'c', '1.1');
    // The first connection's resync, then the one the failed join started at once, which failed too.
    expect(remote.resyncs).toHaveLength(2);
    expect(errors()).toHaveLength(1);
    expect(bus.connected).toBe(false);

    remote.failing = false;
    remote.link.drop();
    remote.link.connect();
    expect(await bus.ready()).toBe(true);
    expect(remote.resyncs.at(-1)?.subscriptions).toEqual([['a', 'c', '1.1']]);
  });

  it('resolves ready with false once its timeout has passed on the timers, and leaves no timer behind', async () => {
    const { timers, bus } = setup();
    let answer: boolean | undefined;
    const ready = bus.ready(300).then((value) => (answer = value));
    timers.advance(299);
    await Promise.resolve();
    expect(answer).toBeUndefined();
    timers.advance(1);
    expect(await ready).toBe(false);
    // Only the retry tick remains.
    expect(timers.pending).toBe(1);
  });

  it('forwards the state changes the remote reports, even when a handler throws', async () => {
    const { remote, bus, changes, errors } = setup();
    bus.onStateChange(() => {
      throw new Error('handler bug');
    });
    const later: StateChange[] = [];
    bus.onStateChange((change) => later.push(change));
    const vacated: StateChange = { type: 'vacated', appId: 'a', channel: 'c' };
    remote.cluster.emit(vacated);
    expect([changes, later]).toEqual([[vacated], [vacated]]);
    expect(errors()).toEqual(['remote bus: state change handler failed']);
  });

  it('stops retrying and resolves waiting callers when closed', async () => {
    const { remote, timers, bus, errors } = setup();
    const ready = bus.ready(10_000);
    await bus.close();
    expect(await ready).toBe(false);
    expect(timers.pending).toBe(0);
    remote.link.connect();
    remote.link.drop();
    expect(remote.resyncs).toEqual([]);
    expect(errors()).toEqual([]);
  });
});
