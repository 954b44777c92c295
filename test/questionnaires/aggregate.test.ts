import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bordaOrder, mean, median, summarise } from '../../src/domain/questionnaires/aggregate.js';
import { questionSchema } from '../../src/domain/questionnaires/definition.js';

const scale = questionSchema.parse({ key: 'q', type: 'scale', text: 'Q', labels: ['1', '2', '3', '4', '5'] });
const rating = questionSchema.parse({ key: 'r', type: 'rating', text: 'R' });
const multiple = questionSchema.parse({ key: 'm', type: 'multiple', text: 'M', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }, { value: 'c', label: 'C' }] });
const ranking = questionSchema.parse({ key: 'k', type: 'ranking', text: 'K', items: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }, { value: 'z', label: 'Z' }] });

describe('when scale answers are summarised', () => {
  it('matches the hand-computed distribution, mean and median', () => {
    // 4, 5, 3, 4, 2, 4: sum 22 / 6 = 3.666…; sorted 2 3 4 4 4 5 → median (4 + 4) / 2 = 4.
    const s = summarise(scale, [4, 5, 3, 4, 2, 4]);
    if (s.type !== 'scale') throw new Error('wrong type');
    expect(s.buckets.map((b) => b.count)).toEqual([0, 1, 1, 3, 1]);
    expect(s.mean).toBeCloseTo(22 / 6, 10);
    expect(s.median).toBe(4);
  });

  it('takes the mean of the two middle values for an even count, and the middle one for an odd count', () => {
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([7, 1, 3])).toBe(3);
    expect(median([])).toBeNull();
    expect(mean([])).toBeNull();
  });

  it('counts ratings from 0 to 10', () => {
    const s = summarise(rating, [0, 10, 10, 7]);
    if (s.type !== 'rating') throw new Error('wrong type');
    expect(s.buckets).toHaveLength(11);
    expect(s.buckets[0].count).toBe(1);
    expect(s.buckets[10].count).toBe(2);
    expect(s.mean).toBe(6.75);
    expect(s.median).toBe(8.5);
  });
});

describe('when choices and rankings are summarised', () => {
  it('counts each option chosen in multiple-choice answers', () => {
    const s = summarise(multiple, [['a', 'b'], ['b'], ['c', 'b']]);
    if (s.type !== 'multiple') throw new Error('wrong type');
    expect(s.buckets).toEqual([{ value: 'a', count: 1 }, { value: 'b', count: 3 }, { value: 'c', count: 1 }]);
  });

  it('orders a ranking by Borda points (hand-computed)', () => {
    // 3 items: 1st = 2 points, 2nd = 1, 3rd = 0.
    // x,y,z → x2 y1 z0; y,x,z → y2 x1 z0; z,y,x → z2 y1 x0. Totals x3 y4 z2.
    const s = summarise(ranking, [['x', 'y', 'z'], ['y', 'x', 'z'], ['z', 'y', 'x']]);
    if (s.type !== 'ranking') throw new Error('wrong type');
    expect(s.order.map((o) => [o.value, o.points])).toEqual([['y', 4], ['x', 3], ['z', 2]]);
    expect(s.order[0].meanPosition).toBeCloseTo(5 / 3, 10);
  });

  it('breaks Borda ties by the listed order', () => {
    expect(bordaOrder(['a', 'b'], [['a', 'b'], ['b', 'a']]).map((o) => o.value)).toEqual(['a', 'b']);
  });

  it('always hands out n(n-1)/2 points per ranking', () => {
    fc.assert(
      fc.property(fc.array(fc.shuffledSubarray(['a', 'b', 'c', 'd'], { minLength: 4, maxLength: 4 }), { maxLength: 30 }), (rankings) => {
        const total = bordaOrder(['a', 'b', 'c', 'd'], rankings).reduce((sum, o) => sum + o.points, 0);
        expect(total).toBe(rankings.length * 6);
      }),
    );
  });

  it('keeps the median between the smallest and largest answer', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 50 }), (values) => {
        const m = median(values)!;
        expect(m).toBeGreaterThanOrEqual(Math.min(...values));
        expect(m).toBeLessThanOrEqual(Math.max(...values));
      }),
    );
  });
});
