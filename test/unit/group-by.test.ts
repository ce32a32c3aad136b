import { describe, expect, it } from 'vitest';
import { groupBy } from '../../domain/group-by';

describe('groupBy', () => {
  it('keeps keys in the order first seen and each key\'s items in their order, asking each item\'s key once', () => {
    const asked: string[] = [];
    const grouped = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (item) => (asked.push(item), item[0]!));
    expect([...grouped]).toEqual([['b', ['b1', 'b2']], ['a', ['a1', 'a2']], ['c', ['c1']]]);
    expect(asked).toEqual(['b1', 'a1', 'b2', 'c1', 'a2']);
    expect(groupBy([], () => 'x').size).toBe(0);
  });
});
