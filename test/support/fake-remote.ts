import type { BusSnapshot, StateChange } from '../../src/scaling/bus.js';
import type { FailoverRemote } from '../../src/scaling/failover-bus.js';
import { MemoryBus } from '../../src/scaling/memory-bus.js';
import type { LinkListener, RemoteLink } from '../../src/scaling/remote-link.js';

/** A link the test brings up and drops by hand. */
export class ManualLink implements RemoteLink {
  up = false;
  private readonly listeners: LinkListener[] = [];

  onChange(listener: LinkListener): void {
    this.listeners.push(listener);
  }

  connect(): void {
    this.up = true;
    for (const listener of this.listeners) listener.up();
  }

  drop(error: unknown = new Error('connection closed')): void {
    this.up = false;
    for (const listener of this.listeners) listener.down(error);
  }
}

/** The cluster's shared state, in memory, able to report changes as a sweep would. */
class ClusterState extends MemoryBus {
  private readonly changeHandlers: ((change: StateChange) => void)[] = [];

  override onStateChange(handler: (change: StateChange) => void): void {
    this.changeHandlers.push(handler);
  }

  emit(change: StateChange): void {
    for (const handler of this.changeHandlers) handler(change);
  }
}

/** Every call of `target` rejects while `failing()`, as commands to an unreachable server would. */
function flaky<T extends object>(target: T, failing: () => boolean): T {
  const registrations = new Set<PropertyKey>(['onMessage', 'onStateChange', 'close', 'emit', 'nodeId']);
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || registrations.has(property)) return typeof value === 'function' ? value.bind(object) : value;
      return (...args: unknown[]) => (failing() ? Promise.reject(new Error('remote unreachable')) : (value as (...a: unknown[]) => unknown).apply(object, args));
    },
  });
}

/**
 * A remote for the failover bus: the cluster is one `MemoryBus` that "other nodes" can use too
 * (`cluster`), behind a `ManualLink`; `failing` makes every call reject, and `resync` records the
 * snapshots it is given and answers with `answerResync` (immediately, with no changes, by default).
 */
export class FakeRemote implements FailoverRemote {
  readonly cluster = new ClusterState();
  readonly link = new ManualLink();
  readonly fanOut = flaky(this.cluster, () => this.failing);
  readonly state = flaky(this.cluster, () => this.failing);
  readonly resyncs: BusSnapshot[] = [];
  failing = false;
  answerResync: (snapshot: BusSnapshot) => Promise<StateChange[]> = async () => [];

  async resync(snapshot: BusSnapshot): Promise<StateChange[]> {
    this.resyncs.push(snapshot);
    if (this.failing) throw new Error('remote unreachable');
    return this.answerResync(snapshot);
  }
}
