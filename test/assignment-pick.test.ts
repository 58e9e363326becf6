import { describe, expect, it } from 'vitest';
import { pickAgent, type PickInput } from '../src/chat/assignment.js';

// The round robin of automatic assignment (docs/dashboard.md, "Automatic assignment"): the next
// eligible agent after the pointer in id order, wrapping, skipping those at the limit.

const pick = (input: Partial<PickInput>): number | undefined =>
  pickAgent({ eligible: [], pointer: null, openCounts: new Map(), limit: 10, ...input });

describe('pickAgent', () => {
  it.each<[string, Partial<PickInput>, number | undefined]>([
    ['nobody is eligible: nobody', { eligible: [] }, undefined],
    ['no pointer yet: the lowest id', { eligible: [7, 3, 5] }, 3],
    ['the next id after the pointer', { eligible: [3, 5, 7], pointer: 3 }, 5],
    ['wraps after the highest id', { eligible: [3, 5, 7], pointer: 7 }, 3],
    ['a pointer at an agent no longer eligible: the next one after it', { eligible: [3, 7], pointer: 5 }, 7],
    ['a pointer past everyone wraps', { eligible: [3, 7], pointer: 9 }, 3],
    ['skips an agent at the limit', { eligible: [3, 5, 7], pointer: 3, openCounts: new Map([[5, 2]]), limit: 2 }, 7],
    ['skips an agent over the limit (assigned by hand)', { eligible: [3, 5], pointer: 3, openCounts: new Map([[5, 4]]), limit: 2 }, 3],
    ['everyone at the limit: nobody', { eligible: [3, 5], openCounts: new Map([[3, 1], [5, 1]]), limit: 1 }, undefined],
    ['a limit of zero: nobody', { eligible: [3], limit: 0 }, undefined],
    ['the only eligible agent again, even when the pointer names them', { eligible: [4], pointer: 4 }, 4],
    ['duplicates count once', { eligible: [5, 5, 3], pointer: 3 }, 5],
  ])('%s', (_name, input, expected) => {
    expect(pick(input)).toBe(expected);
  });

  it('hands a run of conversations out in turn, so counts differ by at most one', () => {
    const counts = new Map<number, number>();
    let pointer: number | null = null;
    for (let i = 0; i < 10; i++) {
      const agent = pickAgent({ eligible: [2, 4, 9], pointer, openCounts: counts, limit: 10 });
      expect(agent).toBeDefined();
      counts.set(agent as number, (counts.get(agent as number) ?? 0) + 1);
      pointer = agent as number;
    }
    expect(Object.fromEntries(counts)).toEqual({ 2: 4, 4: 3, 9: 3 });
  });
});
