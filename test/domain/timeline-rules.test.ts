import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timelineConflicts } from '../../src/domain/clusters/timeline-rules.js';
import { demoTimeline } from '../../src/domain/demo-seed.js';
import { TIMELINE_ORDER, type TimelineEntry } from '../../src/domain/timeline.js';

const day = (d: number, h = 0) => new Date(Date.UTC(2027, 0, 1 + d, h));
const demo = (): TimelineEntry[] => Object.entries(demoTimeline(new Date('2026-11-23T09:00:00Z'), 'Europe/Belgrade', 0)).map(([kind, v]) => ({ kind: kind as TimelineEntry['kind'], ...v }));

describe('when a timeline is checked', () => {
  it('accepts the generic 16-week design', () => {
    expect(timelineConflicts(demo())).toEqual([]);
  });

  it('accepts a partly set timeline and periods that touch', () => {
    expect(timelineConflicts([{ kind: 'PREPARATION', startsAt: day(0), endsAt: day(10) }, { kind: 'EE1', startsAt: day(10), endsAt: day(10, 16) }, { kind: 'APPLICATION', startsAt: day(40), endsAt: day(60) }])).toEqual([]);
  });

  it('names an item that ends before it starts', () => {
    expect(timelineConflicts([{ kind: 'EE2', startsAt: day(5, 16), endsAt: day(5, 10) }])).toEqual([{ kind: 'ends-before-start', item: 'EE2' }]);
  });

  it('names the two items when one overlaps the one before it', () => {
    expect(timelineConflicts([{ kind: 'CONCEPTUALISATION', startsAt: day(0), endsAt: day(20) }, { kind: 'EE2', startsAt: day(19, 10), endsAt: day(20, 16) }])).toEqual([{ kind: 'overlap', item: 'EE2', other: 'CONCEPTUALISATION' }]);
  });

  it('names the two items when one starts before an item it should follow', () => {
    expect(timelineConflicts([{ kind: 'EE1', startsAt: day(10), endsAt: day(11) }, { kind: 'EE3', startsAt: day(5), endsAt: day(6) }])).toEqual([{ kind: 'out-of-order', item: 'EE3', other: 'EE1' }]);
  });

  it('accepts every timeline built in order and refuses it once two neighbours are swapped', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 14, maxLength: 14 }), fc.integer({ min: 1, max: 6 }), (gaps, swapAt) => {
        let cursor = 0;
        const items: TimelineEntry[] = TIMELINE_ORDER.map((kind, i) => {
          const startsAt = day((cursor += gaps[2 * i] - 1));
          const endsAt = day((cursor += gaps[2 * i + 1]));
          return { kind, startsAt, endsAt };
        });
        expect(timelineConflicts(items)).toEqual([]);
        const swapped = items.map((item) => ({ ...item }));
        [swapped[swapAt].kind, swapped[swapAt - 1].kind] = [swapped[swapAt - 1].kind, swapped[swapAt].kind];
        expect(timelineConflicts(swapped).length).toBeGreaterThan(0);
      }),
    );
  });
});
