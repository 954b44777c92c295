import { DateTime } from 'luxon';
import { planCluster, type ClusterSnapshot, type PlannedNudgeSpec } from './plan.js';
import { renderNudges } from './render.js';
import { isInWorkingHours } from './local-time.js';
import { translator } from '../core/i18n.js';
import { labelText } from '../domain/timeline.js';

/** Item names in the preview are in English, like the rest of the operator's output. */
const en = translator('en');
import { profileOf } from './plan.js';

/** One message a member would receive, as the simulation prints it. */
export interface SimulatedMessage {
  at: Date;
  personId: string;
  name: string;
  localTime: string;
  kinds: string[];
  /** Each nudge's kind with the timeline item it is about ("event-week-before: Exchange event 2"), for people reading the preview. */
  about: string[];
  summary: string;
  inWorkingHours: boolean;
}

export interface SimulationResult {
  messages: SimulatedMessage[];
  /** Nudges that were planned at some point but not sent, with why (weekly-cap, snoozed, stale). */
  suppressed: { personId: string; kind: string; reason: string }[];
}

/**
 * Plays a cluster's timeline on a virtual clock with the real planner, local-time and noise rules
 * and the real message rendering: jump to the next due slot, "deliver" it (it becomes sent, so the
 * weekly cap counts it), re-plan from there, repeat. Progress stays as in the snapshot (nobody
 * acts), which shows the most reminders anyone would get.
 */
export function simulateCluster(snapshot: ClusterSnapshot, options: { from: Date; until?: Date }): SimulationResult {
  const state: ClusterSnapshot = { ...snapshot, sent: [...snapshot.sent] };
  const people = new Map(state.people.map((p) => [p.personId, p]));
  const messages: SimulatedMessage[] = [];
  const suppressed = new Map<string, { personId: string; kind: string; reason: string }>();
  let now = options.from;
  for (let guard = 0; guard < 100_000; guard++) {
    const specs = planCluster(state, { now });
    for (const s of specs) if (s.state !== 'planned') suppressed.set(s.id, { personId: s.personId, kind: s.kind, reason: s.reason ?? s.state });
    const next = specs.filter((s) => s.state === 'planned' && s.dueAt >= now).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
    if (!next || (options.until && next.dueAt > options.until)) break;
    now = next.dueAt;
    const slots = new Map<string, PlannedNudgeSpec[]>();
    for (const s of specs) if (s.state === 'planned' && s.dueAt.getTime() === now.getTime()) slots.set(s.personId, [...(slots.get(s.personId) ?? []), s]);
    for (const [personId, group] of slots) {
      const person = people.get(personId)!;
      const message = renderNudges(group.map((g) => g.payload), person);
      for (const g of group) {
        state.sent.push({ id: g.id, personId, at: now, event: g.event });
        suppressed.delete(g.id);
      }
      messages.push({
        at: now,
        personId,
        name: person.displayName,
        localTime: DateTime.fromJSDate(now).setZone(person.timeZone).toFormat('ccc yyyy-LL-dd HH:mm ZZZZ'),
        kinds: group.map((g) => g.kind),
        about: group.map((g) => (g.payload.itemLabel ? `${g.kind}: ${labelText(en, g.payload.itemLabel)}` : g.kind)),
        summary: message.summary,
        inWorkingHours: isInWorkingHours(now, profileOf(person, state.cluster)),
      });
    }
  }
  return { messages, suppressed: [...suppressed.values()] };
}

/** The simulation as text: one block per member, one line per message, in the member's local time. */
export function formatSimulation(snapshot: ClusterSnapshot, result: SimulationResult): string {
  const lines: string[] = [`Cluster ${snapshot.cluster.code}: ${snapshot.cluster.name} — ${result.messages.length} messages to ${snapshot.people.length} people`];
  for (const person of snapshot.people) {
    const mine = result.messages.filter((m) => m.personId === person.personId);
    lines.push('', `${person.displayName} (${person.roles.join(', ').toLowerCase()}, ${person.timeZone}): ${mine.length} messages`);
    for (const m of mine) lines.push(`  ${m.localTime}  [${m.about.join(' + ')}]  ${m.summary.slice(0, 160)}`);
    const skipped = result.suppressed.filter((s) => s.personId === person.personId);
    if (skipped.length) lines.push(`  not sent: ${skipped.map((s) => `${s.kind} (${s.reason})`).join(', ')}`);
  }
  return lines.join('\n');
}
