import { expect, it } from 'vitest';
import { ManualClock } from '../src/time/clock.js';
import { MemoryBus } from '../src/scaling/memory-bus.js';
import { registerBusContract } from './support/bus-contract.js';

registerBusContract('memory', async () => new MemoryBus());

it('MemoryBus forgets a cached event once its time to live has passed', async () => {
  const clock = new ManualClock();
  const bus = new MemoryBus(clock);
  await bus.setCache('a', 'cache-c', { event: 'e', data: '{}' }, 10);
  clock.advance(9_999);
  expect(await bus.getCache('a', 'cache-c')).toBeDefined();
  clock.advance(1);
  expect(await bus.getCache('a', 'cache-c')).toBeUndefined();
});
