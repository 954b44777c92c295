import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/core/i18n.js';
import { applyEdit } from '../../src/domain/clusters/timeline-edits.js';
import { timelineConflicts } from '../../src/domain/clusters/timeline-rules.js';
import { demoTimeline } from '../../src/domain/demo-seed.js';
import { genericItems, itemTitle, labelTimeline, missingRoles, orderTimeline, ROLE_ORDER, type TimelineEntry } from '../../src/domain/timeline.js';
import type { TimelineItemType, TimelineRole } from '../../src/generated/prisma/enums.js';

const day = (d: number, h = 0) => new Date(Date.UTC(2027, 0, 1 + d, h));
let ids = 0;
const item = (type: TimelineItemType, from: Date | null, to: Date | null, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  id: `i${++ids}`, type, title: null, roles: [], startsAt: from, endsAt: to, reminders: true, position: ids, removedAt: null, jointEventId: null, ...extra,
});
const demo = (): TimelineEntry[] => genericItems(demoTimeline(new Date('2026-11-23T09:00:00Z'), 'Europe/Belgrade', 0)).map((row, i) => ({ id: `g${i}`, title: null, reminders: true, removedAt: null, jointEventId: null, location: null, ...row }) as TimelineEntry);
const t = translator('en');

describe('when a timeline is checked', () => {
  it('accepts the generic 16-week design', () => {
    expect(timelineConflicts(demo())).toEqual([]);
  });

  it('accepts extra events anywhere, overlapping periods and other events, and items without dates', () => {
    const timeline = [
      ...demo(),
      item('COACHING_SESSION', day(-5, 10), day(-5, 11)),
      item('FIELD_VISIT', day(30, 8), day(31, 18)),
      item('WEBINAR', day(30, 9), day(30, 10)),
      item('EXCHANGE_EVENT', null, null),
    ];
    expect(timelineConflicts(timeline)).toEqual([]);
  });

  it('names an item that ends before it starts, or has only one of its dates', () => {
    expect(timelineConflicts([item('WEBINAR', day(5, 16), day(5, 10))])).toEqual([{ kind: 'ends-before-start', item: { type: 'WEBINAR' } }]);
    expect(timelineConflicts([item('APPLICATION', day(5), null, { title: 'Trying it out' })])).toEqual([{ kind: 'half-dated', item: { text: 'Trying it out' } }]);
  });

  it('refuses a role on the wrong shape of item, and a role played twice', () => {
    expect(timelineConflicts([item('CONCEPTUALISATION', day(1), day(9), { roles: ['CONCEPTS_PRESENTED'] })])).toEqual([{ kind: 'role-shape', item: { type: 'CONCEPTUALISATION' }, role: 'CONCEPTS_PRESENTED' }]);
    const twice = timelineConflicts([item('EXCHANGE_EVENT', day(1, 10), day(1, 16), { roles: ['CONCEPTS_PRESENTED'] }), item('EXCHANGE_EVENT', day(9, 10), day(9, 16), { roles: ['CONCEPTS_PRESENTED'] })]);
    expect(twice).toEqual([{ kind: 'role-taken', item: { type: 'EXCHANGE_EVENT', n: 2 }, other: { type: 'EXCHANGE_EVENT', n: 1 }, role: 'CONCEPTS_PRESENTED' }]);
  });

  it('names the two items when a role starts before the role it follows in the method', () => {
    const conflicts = timelineConflicts([
      item('EXCHANGE_EVENT', day(10, 10), day(10, 16), { roles: ['TEMPLATE_INTRODUCED'], title: 'Kick-off' }),
      item('EXCHANGE_EVENT', day(5, 10), day(5, 16), { roles: ['CONCEPTS_PRESENTED'], title: 'Concepts' }),
    ]);
    expect(conflicts).toEqual([{ kind: 'role-order', item: { text: 'Concepts' }, role: 'CONCEPTS_PRESENTED', other: { text: 'Kick-off' }, otherRole: 'TEMPLATE_INTRODUCED' }]);
  });

  it('accepts every timeline whose roles start in order and refuses it once two neighbouring roles are swapped', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 5 }), (gaps, swapAt) => {
        let cursor = 0;
        const roles = ROLE_ORDER.filter((r) => r !== 'WAY_FORWARD');
        const shapes: Record<TimelineRole, TimelineItemType> = { TEMPLATE_INTRODUCED: 'EXCHANGE_EVENT', CONCEPTS_DRAFTED: 'CONCEPTUALISATION', CONCEPTS_PRESENTED: 'EXCHANGE_EVENT', APPLICATION: 'APPLICATION', FIRST_EXPERIENCES: 'EXCHANGE_EVENT', WAY_FORWARD: 'EXCHANGE_EVENT' };
        const items = roles.map((role, i) => {
          const startsAt = day((cursor += gaps[i]));
          return item(shapes[role], startsAt, day(cursor + 1), { roles: [role] });
        });
        if (swapAt >= items.length) return;
        expect(timelineConflicts(items)).toEqual([]);
        const swapped = items.map((i) => ({ ...i }));
        [swapped[swapAt].startsAt, swapped[swapAt - 1].startsAt, swapped[swapAt].endsAt, swapped[swapAt - 1].endsAt] = [swapped[swapAt - 1].startsAt, swapped[swapAt].startsAt, swapped[swapAt - 1].endsAt, swapped[swapAt].endsAt];
        expect(timelineConflicts(swapped).map((c) => c.kind)).toContain('role-order');
      }),
    );
  });
});

describe('when items are named and ordered', () => {
  it('numbers exchange events in date order, numbers other types only when there are several, and keeps a title as given', () => {
    const timeline = [
      item('EXCHANGE_EVENT', day(20, 10), day(20, 16)),
      item('EXCHANGE_EVENT', day(1, 10), day(1, 16)),
      item('COACHING_SESSION', day(5, 10), day(5, 11)),
      item('COACHING_SESSION', day(8, 10), day(8, 11)),
      item('FIELD_VISIT', day(12, 8), day(12, 18)),
      item('WEBINAR', day(0, 9), day(0, 10), { title: 'Welcome webinar' }),
    ];
    expect(labelTimeline(timeline).map((i) => itemTitle(t, i))).toEqual(['Welcome webinar', 'Exchange event 1', 'Online coaching session 1', 'Online coaching session 2', 'Field visit', 'Exchange event 2']);
  });

  it('keeps items without dates where the design put them, and leaves removed items out', () => {
    const prep = item('PREPARATION', day(0), day(10), { position: 1 });
    const ee1 = item('EXCHANGE_EVENT', null, null, { position: 2 });
    const c = item('CONCEPTUALISATION', day(12), day(40), { position: 3 });
    const gone = item('WEBINAR', day(11, 9), day(11, 10), { position: 4, removedAt: day(0) });
    expect(orderTimeline([c, gone, ee1, prep]).map((i) => i.id)).toEqual([prep.id, ee1.id, c.id]);
  });

  it('says which roles no live item plays', () => {
    const timeline = demo();
    expect(missingRoles(timeline)).toEqual([]);
    const ee2 = labelTimeline(timeline).find((i) => i.roles.includes('CONCEPTS_PRESENTED'))!;
    expect(missingRoles(applyEdit(timeline, { action: 'remove', clusterId: 'c', itemId: ee2.id }).items)).toEqual(['CONCEPTS_PRESENTED']);
  });
});

describe('when an edit takes a role another item plays', () => {
  it('moves the role to the edited item and lists the item that lost it', () => {
    const timeline = demo();
    const ee3 = labelTimeline(timeline).find((i) => i.roles.includes('FIRST_EXPERIENCES'))!;
    const { items, changes } = applyEdit(timeline, {
      action: 'add',
      clusterId: 'c',
      draft: { type: 'EXCHANGE_EVENT', title: 'EE3 with all clusters', roles: ['WAY_FORWARD'], startsAt: day(200, 10), endsAt: day(200, 16), location: null, reminders: true },
    });
    expect(items.find((i) => i.id === ee3.id)!.roles).toEqual(['FIRST_EXPERIENCES']);
    expect(changes.map((c) => [c.itemId, c.action, c.rolesLost])).toEqual([['new', 'added', []], [ee3.id, 'changed', ['WAY_FORWARD']]]);
    expect(timelineConflicts(items)).toEqual([]);
  });
});
