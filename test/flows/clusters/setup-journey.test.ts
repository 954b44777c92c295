import { beforeAll, describe, expect, it } from 'vitest';
import { LoggingSchedulerPort } from '../../../src/core/scheduler-port.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { registrationValues, selectOf } from './helpers.js';
import { genericItem } from '../../support/timeline.js';
import type { GenericKey } from '../../../src/domain/timeline.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
});

const timelineValues = {
  PREPARATION: { startDate: '2027-01-04', endDate: '2027-01-29' },
  EE1: { startDate: '2027-02-02', startTime: '10:00', endDate: '2027-02-03', endTime: '16:00', location: 'Prishtina' },
  CONCEPTUALISATION: { startDate: '2027-02-04', endDate: '2027-03-12' },
};

describe('when a coordinator sets up a cluster and three people register from three platforms', () => {
  let clusterId: string;
  const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');

  it('creates the cluster from the form and makes the creator its coordinator', async () => {
    const form = formOf(await coordinator().say('/lc create'));
    expect(form.fields.find((f) => f.name === 'timeZone')?.initial).toBe('Europe/Belgrade');
    const replies = await coordinator().submit(form, { code: '', name: 'Home Care', approach: 'Home Care for the Elderly', hosts: 'AKM', hostCountry: 'xk', timeZone: 'Europe/Belgrade', language: 'en', capacity: '2' });
    expect(textOf(replies)).toContain('Cluster LC6: Home Care is created');
    const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC6' }, include: { memberships: { include: { person: true } }, hosts: { include: { organisation: true } } } });
    clusterId = cluster.id;
    expect(cluster.capacity).toBe(2);
    expect(cluster.hosts.map((h) => h.organisation.name)).toEqual(['AKM']);
    expect(cluster.memberships.map((m) => [m.person.displayName, m.role])).toEqual([['Arta Krasniqi', 'COORDINATOR']]);
    // It starts from the generic design, dates still to set.
    const items = await runtime.db.timelineItem.findMany({ where: { clusterId }, orderBy: { position: 'asc' } });
    expect(items.map((i) => [i.type, i.roles, i.startsAt])).toEqual([
      ['PREPARATION', [], null],
      ['EXCHANGE_EVENT', ['TEMPLATE_INTRODUCED'], null],
      ['CONCEPTUALISATION', ['CONCEPTS_DRAFTED'], null],
      ['EXCHANGE_EVENT', ['CONCEPTS_PRESENTED'], null],
      ['APPLICATION', ['APPLICATION'], null],
      ['EXCHANGE_EVENT', ['FIRST_EXPERIENCES', 'WAY_FORWARD'], null],
      ['CONTINUATION', [], null],
    ]);
  });

  it('keeps what was typed and names the field when the form is wrong', async () => {
    const form = formOf(await coordinator().say('/lc create'));
    const replies = await coordinator().submit(form, { name: 'X', approach: 'Y', hosts: 'AKM', hostCountry: 'Kosovo', timeZone: 'Mars/Base', language: 'en', capacity: 'many' });
    const again = formOf(replies);
    expect(again.formId).toBe('create:cluster');
    expect(Object.keys(again.errors ?? {}).sort()).toEqual(['capacity', 'hostCountry', 'timeZone']);
    expect(again.fields.find((f) => f.name === 'hostCountry')?.initial).toBe('Kosovo');
    expect(await runtime.db.cluster.count({ where: { name: 'X' } })).toBe(0);
  });

  it('sets the timeline item by item, records each change and tells the scheduler', async () => {
    const scheduler = runtime.services.scheduler as LoggingSchedulerPort;
    const before = scheduler.announcements.length;
    for (const [key, values] of Object.entries(timelineValues)) {
      const view = await coordinator().say('/lc timeline LC6');
      const item = await genericItem(runtime.db, clusterId, key as GenericKey);
      const form = formOf(await coordinator().choose(selectOf(view, 'timeline:edit'), `${clusterId}|${item.id}`));
      const saved = await coordinator().submit(form, values);
      expect(textOf(saved)).toContain('is changed');
    }
    const view = textOf(await coordinator().say('/lc timeline LC6'));
    expect(view).toContain('Preparation: Mon 4 Jan 2027 – Fri 29 Jan 2027');
    // The coordinator's clock is the cluster's, so no zone is named.
    expect(view).toContain('Exchange event 1: Tue 2 Feb 2027, 10:00 – Wed 3 Feb 2027, 16:00 (Prishtina)');
    expect(view).toContain('Exchange event 2: not set yet');
    const changes = await runtime.db.timelineChange.findMany({ where: { clusterId }, include: { changedBy: true } });
    expect(changes).toHaveLength(3);
    // Each item existed without dates: the change records that, and who set them.
    expect(changes.every((c) => c.changedBy?.displayName === 'Arta Krasniqi' && c.action === 'changed' && (c.oldValue as { startsAt: unknown }).startsAt === null)).toBe(true);
    expect(scheduler.announcements.slice(before).filter((a) => a.clusterId === clusterId && a.reason === 'timeline')).toHaveLength(3);
  });

  it('refuses an edit that puts the roles out of the method\'s order, naming the conflict, keeps what was typed and changes nothing', async () => {
    const itemsBefore = await runtime.db.timelineItem.findMany({ where: { clusterId }, orderBy: { id: 'asc' } });
    const changesBefore = await runtime.db.timelineChange.count();
    const view = await coordinator().say('/lc timeline LC6');
    const ee1 = await genericItem(runtime.db, clusterId, 'EE1');
    const form = formOf(await coordinator().choose(selectOf(view, 'timeline:edit'), `${clusterId}|${ee1.id}`));
    // EE1 introduces the template; moving it after the drafting began is out of order.
    const replies = await coordinator().submit(form, { ...timelineValues.EE1, startDate: '2027-02-10', endDate: '2027-02-11' });
    const again = formOf(replies);
    const why = 'Conceptualisation period (concepts drafted) would start before Exchange event 1 (action-plan template introduced), but it comes after it in the method.';
    expect(again.intro).toContain('Nothing was changed');
    expect(again.errors?.startDate).toBe(why);
    expect(again.fields.find((f) => f.name === 'startDate')?.initial).toBe('2027-02-10');
    expect(await runtime.db.timelineItem.findMany({ where: { clusterId }, orderBy: { id: 'asc' } })).toEqual(itemsBefore);
    expect(await runtime.db.timelineChange.count()).toBe(changesBefore);

    // Moving the conceptualisation period before EE1 is out of order too, and says so.
    const c = await genericItem(runtime.db, clusterId, 'CONCEPTUALISATION');
    const form2 = formOf(await coordinator().choose(selectOf(view, 'timeline:edit'), `${clusterId}|${c.id}`));
    const replies2 = await coordinator().submit(form2, { startDate: '2027-01-30', endDate: '2027-03-12' });
    expect(formOf(replies2).intro).toContain(why);
  });

  const people = [
    { label: 'web', id: 'web:newcomer', platform: 'WEB' as const, municipality: 'Prizren' },
    { label: 'slack', id: 'T1:U900', platform: 'SLACK' as const, municipality: 'Gjilan' },
    { label: 'teams', id: 'tenant-1:aad-77', platform: 'TEAMS' as const, municipality: 'Peja' },
  ];

  it('registers three people through the web chat, Slack and Teams and tells the coordinator', async () => {
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    for (const p of people) {
      const me = talkAs(runtime.bot, p.id, { platform: p.platform, displayName: `Person ${p.label}` });
      const form = formOf(await me.say('/lc join'));
      const consent = form.fields.find((f) => f.name === 'consent')!;
      // The link sits in the form's intro as a real link (labels are plain text on Slack); the box refers to it.
      expect(form.intro).toMatch(/\[privacy text\]\(http[^)]*\/privacy\)/);
      expect(consent.label).toContain('privacy text (linked above)');
      const replies = await me.submit(form, registrationValues([clusterId, lc1.id], { organisationName: p.municipality }));
      expect(textOf(replies)).toContain('you are registered');
      expect(textOf(replies)).toContain('1. LC6: Home Care');
    }
    expect(await runtime.db.registration.count({ where: { preferences: { some: { clusterId } } } })).toBe(3);
    const inbox = await runtime.webSender.drain('web:lc1-coordinator');
    expect(inbox.filter((m) => m.summary.startsWith('New registration'))).toHaveLength(3);
  });

  it('shows the existing registration with an Edit button when someone registers twice', async () => {
    const me = talkAs(runtime.bot, 'T1:U900', { platform: 'SLACK' });
    const replies = await me.say('/lc join');
    expect(textOf(replies)).toContain('You are already registered');
    const form = formOf(await me.press(findButton(replies, 'Edit')));
    expect(form.fields.find((f) => f.name === 'organisationName')?.initial).toBe('Gjilan');
  });

  it('proposes an assignment within capacity, explains it, and tells everyone on confirmation', async () => {
    const preview = await coordinator().say('/lc assign');
    const text = textOf(preview);
    expect(text).toContain('LC6: Home Care (2 of 2 municipalities)');
    // Capacity 2: the municipality that registered last goes to its second choice, and is told why.
    expect(text).toContain('Person teams (Peja): placed in LC1, their choice number 2: LC6 was full with municipalities that registered earlier.');
    const done = await coordinator().press(findButton(preview, 'Confirm and tell everyone'));
    expect(textOf(done)).toContain('registrations are assigned');
    const web = await runtime.webSender.drain('web:newcomer');
    expect(textOf(web)).toContain('You are in LC6: Home Care. Why: placed in LC6, your first choice.');
    const assigned = await runtime.db.registration.findMany({ where: { assignedClusterId: clusterId } });
    expect(assigned).toHaveLength(2);
  });

  it('lets the coordinator move someone before confirming', async () => {
    // Re-running shows the assigned registrations again; move the Teams person into LC6 by hand.
    const preview = await coordinator().say('/lc assign');
    const form = formOf(await coordinator().press(findButton(preview, 'Move someone')));
    const teams = form.fields.find((f) => f.name === 'registrationId')!.options!.find((o) => o.label.startsWith('Person teams'))!;
    const moved = await coordinator().submit(form, { registrationId: teams.value, clusterId });
    expect(textOf(moved)).toContain('Person teams (Peja): placed in LC6 by a coordinator.');
    expect(textOf(moved)).toContain('over capacity');
    await coordinator().press(findButton(moved, 'Confirm and tell everyone'));
    expect(await runtime.db.registration.count({ where: { assignedClusterId: clusterId, status: 'ASSIGNED' } })).toBe(3);
  });

  it('approves them from the members list, making them members with their municipality', async () => {
    let roster = await coordinator().say('/lc members LC6');
    expect(textOf(roster)).toContain('Assigned here, waiting for your decision');
    roster = await coordinator().press(findButton(roster, 'Approve'));
    expect(textOf(roster)).toContain('Assigned here, waiting for your decision (2)');
    roster = await coordinator().press(findButton(roster, 'Approve all 2'));
    expect(textOf(roster)).toContain('2 people approved and welcomed');
    expect(textOf(roster)).toContain('People in the cluster (4)');
    const members = await runtime.db.membership.findMany({ where: { clusterId, role: 'MEMBER', status: 'ACTIVE' }, include: { organisation: true } });
    expect(members.map((m) => m.organisation?.name).sort()).toEqual(['Gjilan', 'Peja', 'Prizren']);
    expect(textOf(await runtime.webSender.drain('web:newcomer'))).toContain('you are admitted to learning cluster LC6');
  });

  it('shows the counts in /lc status', async () => {
    const text = textOf(await coordinator().say('/lc status LC6'));
    expect(text).toContain('Not started yet: Preparation begins Mon 4 Jan 2027.');
    expect(text).toContain('Preparation: Mon 4 Jan 2027');
    expect(text).toContain('First choice: 3');
    expect(text).toContain('Approved: 3');
    expect(text).toContain('Municipalities: 3 / 2');
    expect(text).toContain('Members: 3');
    expect(text).toContain('Coordinators: 1');
    expect(text).toContain('Drafted: 0');
    expect(text).toContain('Open questions: 0');
  });

  it('shows a member the timeline without the edit menu, and refuses a forged edit changing nothing', async () => {
    const member = talkAs(runtime.bot, 'web:newcomer');
    const view = await member.say('/lc timeline');
    expect(textOf(view)).toContain('Timeline of LC6');
    expect(() => selectOf(view, 'timeline:edit')).toThrow();
    const before = await runtime.db.timelineItem.findMany({ where: { clusterId } });
    const refused = await member.choose({ type: 'select', actionId: 'timeline:edit', placeholder: '', options: [] }, `${clusterId}|EE1`);
    expect(textOf(refused)).toContain('only a coordinator of this cluster can do that. Nothing was changed.');
    const forged = await member.submit({ formId: 'timeline:item' }, { startDate: '2020-01-01', endDate: '2020-01-02', startTime: '10:00', endTime: '11:00' });
    expect(textOf(forged)).not.toContain('is changed');
    expect(await runtime.db.timelineItem.findMany({ where: { clusterId } })).toEqual(before);
  });

  it('does not confirm a proposal that changed after the coordinator looked at it', async () => {
    const late = talkAs(runtime.bot, 'web:late-1');
    await late.submit(formOf(await late.say('/lc join')), registrationValues([clusterId], { organisationName: 'Ferizaj' }));
    const preview = await coordinator().say('/lc assign');
    expect(textOf(preview)).toContain('1 open registration.');
    const later = talkAs(runtime.bot, 'web:late-2');
    await later.submit(formOf(await later.say('/lc join')), registrationValues([clusterId], { organisationName: 'Vushtrri' }));
    const replies = await coordinator().press(findButton(preview, 'Confirm and tell everyone'));
    expect(textOf(replies)).toContain('Registrations changed since you opened this preview');
    expect(textOf(replies)).toContain('2 open registrations');
    expect(await runtime.db.registration.count({ where: { status: 'ASSIGNED' } })).toBe(0);
  });

  it('undoes a timeline change with one button, recording the undo too', async () => {
    const view = await coordinator().say('/lc timeline LC6');
    const ee1 = await genericItem(runtime.db, clusterId, 'EE1');
    const form = formOf(await coordinator().choose(selectOf(view, 'timeline:edit'), `${clusterId}|${ee1.id}`));
    const saved = await coordinator().submit(form, { ...timelineValues.EE1, location: 'Prizren' });
    expect(textOf(saved)).toContain('(Prizren)');
    const undone = await coordinator().press(findButton(saved, 'Undo'));
    expect(textOf(undone)).toContain('Undone: the timeline is as it was before that edit.');
    expect(textOf(undone)).toContain('(Prishtina)');
    const changes = await runtime.db.timelineChange.findMany({ where: { clusterId, itemId: ee1.id }, orderBy: { changedAt: 'asc' } });
    expect(changes.map((c) => (c.newValue as { location: string }).location)).toEqual(['Prishtina', 'Prizren', 'Prishtina']);
  });
});
