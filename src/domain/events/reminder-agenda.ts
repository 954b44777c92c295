import type { Db } from '../../core/db.js';
import { agendaOf, byDay, dayDate, loadDesign, type AgendaSession } from './design.js';

/**
 * The reminders sent before an event (src/scheduler/rules.ts): they carry its agenda, and before the event
 * where the approach is introduced a button to the good practice.
 */
export const BEFORE_EVENT_REMINDERS: readonly string[] = ['event-week-before', 'event-day-before'];

/** At most this many sessions in a reminder; the rest is one button away. */
export const REMINDER_SESSIONS = 8;

/**
 * The short agenda a reminder before an event carries: its first day's sessions (members' columns
 * only), the date of that day, and how many more days the agenda has. Read when the reminder is
 * delivered, so it shows the design as it is then, not as it was when the reminder was planned.
 */
export interface ReminderAgenda {
  itemId: string;
  clusterCode: string;
  /** ISO date of the first day with sessions, when the event has dates. */
  date?: string;
  day: number;
  sessions: AgendaSession[];
  moreDays: number;
}

/** What the agenda loader needs from a nudge's payload. */
interface AnchoredPayload {
  kind: string;
  itemId?: string;
  clusterCode: string;
  clusterTimeZone?: string;
}

/** The agendas of the events these reminders announce, by item id; events without sessions have none. */
export async function reminderAgendas(db: Db, payloads: AnchoredPayload[]): Promise<Map<string, ReminderAgenda>> {
  const agendas = new Map<string, ReminderAgenda>();
  for (const p of payloads) {
    if (!p.itemId || !BEFORE_EVENT_REMINDERS.includes(p.kind) || agendas.has(p.itemId)) continue;
    const item = await db.timelineItem.findFirst({ where: { id: p.itemId, removedAt: null }, select: { startsAt: true, cluster: { select: { timeZone: true } } } });
    if (!item) continue;
    const days = byDay(agendaOf(await loadDesign(db, p.itemId)));
    if (!days.length) continue;
    const first = days[0];
    agendas.set(p.itemId, { itemId: p.itemId, clusterCode: p.clusterCode, date: dayDate(item, first.day, item.cluster.timeZone), day: first.day, sessions: first.sessions, moreDays: days.length - 1 });
  }
  return agendas;
}
