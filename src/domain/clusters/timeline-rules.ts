import type { TimelineRole } from '../../generated/prisma/enums.js';
import { isDated, labelTimeline, ROLE_ORDER, rolesForType, type ItemLabel, type TimelineEntry } from '../timeline.js';

/** One reason a timeline is not acceptable, naming the items involved (by label) so the message can name them too. */
export type TimelineConflict =
  | { kind: 'ends-before-start'; item: ItemLabel }
  | { kind: 'half-dated'; item: ItemLabel }
  | { kind: 'role-shape'; item: ItemLabel; role: TimelineRole }
  | { kind: 'role-taken'; item: ItemLabel; other: ItemLabel; role: TimelineRole }
  | { kind: 'role-order'; item: ItemLabel; role: TimelineRole; other: ItemLabel; otherRole: TimelineRole };

/**
 * Checks a whole timeline (removed items ignored): every dated item ends after it starts and has both
 * dates or neither; a role is played by an item of the right shape (an event presents concepts, a period
 * holds the drafting) and by one item at most; and the items with roles start in the method's order
 * (template introduced, concepts drafted, concepts presented, application, first experiences, way
 * forward). Items may overlap freely: a webinar runs inside the conceptualisation period, a field visit
 * inside the application. Pure, so an edit can be refused before anything is written.
 *
 * `names`: what to call items in the conflicts (by id), e.g. their names before the edit, which the
 * coordinator knows them by (an edit may renumber exchange events); otherwise their names after it.
 */
export function timelineConflicts(items: TimelineEntry[], names?: Map<string, ItemLabel>): TimelineConflict[] {
  const conflicts: TimelineConflict[] = [];
  const labelled = labelTimeline(items).map((item) => ({ ...item, label: names?.get(item.id) ?? item.label }));
  for (const item of labelled) {
    if ((item.startsAt === null) !== (item.endsAt === null)) conflicts.push({ kind: 'half-dated', item: item.label });
    else if (isDated(item) && item.endsAt <= item.startsAt) conflicts.push({ kind: 'ends-before-start', item: item.label });
    for (const role of item.roles) if (!rolesForType(item.type).includes(role)) conflicts.push({ kind: 'role-shape', item: item.label, role });
  }
  const holder = new Map<TimelineRole, (typeof labelled)[number]>();
  for (const item of labelled) {
    for (const role of item.roles) {
      const other = holder.get(role);
      if (other) conflicts.push({ kind: 'role-taken', item: item.label, other: other.label, role });
      else holder.set(role, item);
    }
  }
  // Each role's item must not start before the item of any earlier role.
  const dated = ROLE_ORDER.flatMap((role) => {
    const item = holder.get(role);
    return item && isDated(item) ? [{ role, item }] : [];
  });
  for (let i = 1; i < dated.length; i++) {
    const current = dated[i];
    const latest = dated.slice(0, i).reduce((a, b) => (b.item.startsAt! > a.item.startsAt! ? b : a));
    if (current.item.startsAt! < latest.item.startsAt!) conflicts.push({ kind: 'role-order', item: current.item.label, role: current.role, other: latest.item.label, otherRole: latest.role });
  }
  return conflicts;
}

/** What the coordinator calls the items of an edit: their names before it (after it, for a new one). */
export function namesAcross(before: TimelineEntry[], after: TimelineEntry[]): Map<string, ItemLabel> {
  return new Map([...labelTimeline(after), ...labelTimeline(before)].map((i) => [i.id, i.label]));
}

/** Thrown by an edit that would break the timeline; nothing has been written when it is thrown. */
export class TimelineConflictError extends Error {
  constructor(readonly conflicts: TimelineConflict[]) {
    super(`timeline conflict: ${conflicts.map((c) => c.kind).join(', ')}`);
    this.name = 'TimelineConflictError';
  }
}
