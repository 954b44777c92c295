import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { ManualClock } from '../../../src/core/clock.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { recordWayForward } from '../../../src/domain/clusters/way-forward.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { datedGenericItem } from '../../support/timeline.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { RecordingSender } from '../feedback/factory.js';

/**
 * What comes after a cluster (issue 19, item 4): at or after its last exchange event the coordinator records
 * the way forward; the bot creates the follow-on cluster, asks each member in chat whether they join, carries
 * over those who say yes with their plans' history, and the cluster report states the decision.
 */

const today = new Date('2026-11-23T09:00:00Z');
const clock = new ManualClock(today);
let runtime: Runtime;
let recorder: RecordingSender;
let lc1: { id: string; code: string; approach: string };
let ee3Start: Date;
const members = ['web:lc1-m1', 'web:lc1-m2', 'web:lc1-m3'];
const names = new Map<string, string>();
const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');
const decision = { choice: 'TRANSFORM', name: 'Care at Home', approach: 'Home Care Services', startDate: '05.04.2027', note: 'Agreed in Prishtina: home care is what the municipalities need next.' };

beforeAll(async () => {
  runtime = await testRuntime({ clock, env: { LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' } });
  await seedDemo(runtime.db, today);
  recorder = new RecordingSender();
  runtime.notifier.register(recorder);
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  ee3Start = (await datedGenericItem(runtime.db, lc1.id, 'EE3')).startsAt;
  // Three members: the other five have left, so the cluster is the "two of three".
  const keep = await runtime.db.platformIdentity.findMany({ where: { externalId: { in: members } } });
  for (const k of keep) names.set(k.externalId, (await runtime.db.person.findUniqueOrThrow({ where: { id: k.personId } })).displayName);
  await runtime.db.membership.updateMany({ where: { clusterId: lc1.id, role: 'MEMBER', personId: { notIn: keep.map((k) => k.personId) } }, data: { status: 'LEFT' } });
  // The first member's action plan of LC1, to be read again from the follow-on cluster.
  const author = keep.find((k) => k.externalId === 'web:lc1-m1')!;
  await runtime.db.actionPlan.create({ data: { clusterId: lc1.id, authorId: author.personId, approach: lc1.approach, goal: 'A day-care centre for 20 elderly people in Prishtina' } });
});

const questionTo = (externalId: string): OutboundMessage => {
  const found = recorder.to(externalId).find((m) => buttonsOf([m]).some((b) => b.actionId === 'way-forward:join'));
  if (!found) throw new Error(`no question to ${externalId}`);
  return found;
};

describe('when a coordinator asks before the last exchange event has begun', () => {
  it('refuses politely, saying when it becomes possible, and creates nothing', async () => {
    const reply = await coordinator().say('/lc way-forward LC1');
    const when = DateTime.fromJSDate(ee3Start).setZone('Europe/Belgrade').toFormat('d LLL yyyy');
    expect(textOf(reply)).toContain('The way forward of LC1 is agreed at its last exchange event, Exchange event 3, and can be recorded once that event begins');
    expect(textOf(reply)).toContain(when);
    expect(textOf(reply)).toContain('10:00');
    expect(reply.flatMap((m) => m.blocks).some((b) => b.type === 'form')).toBe(false);
    // The domain refuses too, whatever a client sends.
    await expect(recordWayForward(runtime.db, (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-coordinator' } })).personId, { clusterId: lc1.id, choice: 'CONTINUE', startsOn: '2027-04-05' }, clock.now())).rejects.toThrow(/not open: notYet/);
    expect(await runtime.db.cluster.count({ where: { followsId: lc1.id } })).toBe(0);
  });

  it('is not for members', async () => {
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-m1').say('/lc way-forward LC1'))).toContain('/lc way-forward is for other roles. Nothing was changed.');
  });
});

describe('when the coordinator records "transform" at the last exchange event', () => {
  let form: ReturnType<typeof formOf>;

  beforeAll(async () => {
    clock.set(new Date(ee3Start.getTime() + 60 * 60 * 1000));
    form = formOf(await coordinator().say('/lc way-forward LC1'));
  });

  it('asks for the new approach, refuses the same one and a start in the past, keeping what was typed', async () => {
    const missing = formOf(await coordinator().submit(form, { ...decision, approach: '' }));
    expect(missing.errors?.approach).toContain('Please give the approach');
    expect(missing.fields.find((f) => f.name === 'note')?.initial).toBe(decision.note);
    const same = formOf(await coordinator().submit(form, { ...decision, approach: lc1.approach }));
    expect(same.errors?.approach).toContain('choose Continue');
    const past = formOf(await coordinator().submit(form, { ...decision, startDate: '01.01.2026' }));
    expect(past.errors?.startDate).toContain('cannot start in the past');
    expect(await runtime.db.cluster.count({ where: { followsId: lc1.id } })).toBe(0);
  });

  it('creates one follow-on cluster even when the form is sent twice at once, and says so', async () => {
    const [a, b] = await Promise.all([coordinator().submit(form, decision), coordinator().submit(form, decision)]);
    const texts = [textOf(a), textOf(b)].join('\n');
    expect(texts).toContain('The way forward of LC1 is recorded: transform. LC6 “Care at Home” is created');
    expect(texts).toContain('I asked its 3 members in chat whether they join.');
    expect(texts).toMatch(/Already done|being done/);
    expect(await runtime.db.cluster.count({ where: { followsId: lc1.id } })).toBe(1);
    expect(await runtime.db.wayForward.count()).toBe(1);
    // Pressed again later: the same outcome, nothing created again.
    expect(textOf(await coordinator().submit(form, decision))).toContain('Already done');
    expect(await runtime.db.cluster.count()).toBe(6);
  });

  it('gives the follow-on the generic timeline from the chosen day, the same programme, hosts, language and coordinators', async () => {
    const lc6 = await runtime.db.cluster.findFirstOrThrow({ where: { followsId: lc1.id }, include: { timeline: true, hosts: { include: { organisation: true } }, memberships: true } });
    const original = await runtime.db.cluster.findUniqueOrThrow({ where: { id: lc1.id }, include: { hosts: true } });
    expect(lc6).toMatchObject({ code: 'LC6', name: 'Care at Home', approach: 'Home Care Services', programmeId: original.programmeId, language: original.language, timeZone: original.timeZone });
    expect(lc6.hosts.map((h) => h.organisationId)).toEqual(original.hosts.map((h) => h.organisationId));
    expect(lc6.timeline).toHaveLength(7);
    const first = lc6.timeline.find((i) => i.position === 1)!;
    expect(first.startsAt!.toISOString()).toBe(DateTime.fromISO('2027-04-05', { zone: 'Europe/Belgrade' }).toJSDate().toISOString());
    expect(lc6.memberships.map((m) => `${m.role}:${m.status}`)).toEqual(['COORDINATOR:ACTIVE']);
    const record = await runtime.db.wayForward.findUniqueOrThrow({ where: { clusterId: lc1.id } });
    expect(record).toMatchObject({ choice: 'TRANSFORM', note: decision.note });
    expect(record.decidedAt.toISOString()).toBe(clock.now().toISOString());
  });

  it('refuses a second decision for the same cluster', async () => {
    const coordinatorId = (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-coordinator' } })).personId;
    await expect(recordWayForward(runtime.db, coordinatorId, { clusterId: lc1.id, choice: 'CONTINUE', startsOn: '2027-05-01' }, clock.now())).rejects.toMatchObject({ messageKey: 'after:errors.alreadyDecided' });
    expect(await runtime.db.cluster.count({ where: { followsId: lc1.id } })).toBe(1);
  });

  it('asks each of the three members in chat, with Yes and No', async () => {
    for (const m of members) {
      const question = questionTo(m);
      expect(textOf(question)).toContain('LC1 “Day-care Centers” goes on. Its coordinators chose: Transform: the same members, a new approach. The follow-on cluster is LC6 “Care at Home” (Home Care Services)');
      expect(textOf(question)).toContain('Their note: Agreed in Prishtina');
      expect(buttonsOf([question]).map((b) => b.label)).toEqual(['Yes, I join LC6', 'No, thank you']);
    }
    expect(recorder.to('web:lc1-m4').some((m) => buttonsOf([m]).some((b) => b.actionId === 'way-forward:join'))).toBe(false);
  });

  it('lists the question on each member\'s home until they answer (a message may not have reached them)', async () => {
    const home = await talkAs(runtime.bot, members[2]).say('/lc home');
    expect(textOf(home)).toContain('LC1 goes on as LC6: do you join it?');
    expect(buttonsOf(home).filter((b) => b.actionId.startsWith('way-forward:')).map((b) => b.label)).toEqual(['Yes, I join LC6', 'No, thank you']);
  });
});

describe('when two members say yes and the third says no', () => {
  let joined: OutboundMessage[];

  beforeAll(async () => {
    joined = await talkAs(runtime.bot, members[0]).press(findButton([questionTo(members[0])], 'Yes, I join LC6'));
    await talkAs(runtime.bot, members[1]).press(findButton([questionTo(members[1])], 'Yes, I join LC6'));
    await talkAs(runtime.bot, members[2]).press(findButton([questionTo(members[2])], 'No, thank you'));
  });

  it('makes the two who said yes members of the follow-on, and only them', async () => {
    expect(textOf(joined)).toContain('You are now a member of LC6 “Care at Home”');
    const lc6 = await runtime.db.cluster.findFirstOrThrow({ where: { followsId: lc1.id } });
    const rows = await runtime.db.membership.findMany({ where: { clusterId: lc6.id, role: 'MEMBER', status: 'ACTIVE' }, include: { person: true } });
    expect(rows.map((r) => r.person.displayName).sort()).toEqual([names.get(members[0]), names.get(members[1])].sort());
    // Everyone stays in the original cluster.
    expect(await runtime.db.membership.count({ where: { clusterId: lc1.id, role: 'MEMBER', status: 'ACTIVE' } })).toBe(3);
  });

  it('takes each answer once: pressed again, or the other button, changes nothing', async () => {
    const again = await talkAs(runtime.bot, members[2]).press(findButton([questionTo(members[2])], 'No, thank you'));
    expect(textOf(again)).toContain('Already done');
    const changed = await talkAs(runtime.bot, members[2]).press(findButton([questionTo(members[2])], 'Yes, I join LC6'));
    expect(textOf(changed)).toContain('You have answered already: you stay in LC1 only.');
    const lc6 = await runtime.db.cluster.findFirstOrThrow({ where: { followsId: lc1.id } });
    expect(await runtime.db.membership.count({ where: { clusterId: lc6.id, role: 'MEMBER' } })).toBe(2);
    expect(textOf(await talkAs(runtime.bot, members[2]).say('/lc home'))).not.toContain('do you join it?');
  });

  it('opens the plan of the original cluster from the answer and from /lc plan history', async () => {
    const fromAnswer = await talkAs(runtime.bot, members[0]).press(findButton(joined, 'My plan in LC1'));
    expect(textOf(fromAnswer)).toContain('A day-care centre for 20 elderly people');
    const history = await talkAs(runtime.bot, members[0]).say('/lc plan history');
    expect(textOf(history)).toContain('Your action plans so far');
    expect(textOf(history)).toContain('LC1 “Day-care Centers”: Draft');
    const opened = await talkAs(runtime.bot, members[0]).press(findButton(history, 'Open LC1'));
    expect(textOf(opened)).toContain('A day-care centre for 20 elderly people');
    // The new plan's overview has the old plan one press away; it is listed with the cluster it follows on from.
    const newPlan = await talkAs(runtime.bot, members[0]).say('/lc plan LC6');
    expect(textOf(await talkAs(runtime.bot, members[0]).press(findButton(newPlan, 'My plan in LC1')))).toContain('A day-care centre for 20 elderly people');
    expect(textOf(await talkAs(runtime.bot, members[0]).say('/lc plan history'))).toContain('LC6 “Care at Home”: Draft');
    expect(textOf(await talkAs(runtime.bot, members[0]).say('/lc plan history'))).toContain('(follows on from LC1)');
  });

  it('shows the coordinator who joined, who said no and who has not answered', async () => {
    const view = textOf(await coordinator().say('/lc way-forward LC1'));
    expect(view).toContain('Way: Transform: the same members, a new approach');
    expect(view).toContain(`Joined: 2: ${[names.get(members[0]), names.get(members[1])].sort().join(' and ')}`);
    expect(view).toContain(`Said no: 1: ${names.get(members[2])}`);
    expect(view).toContain('Not answered yet: 0');
  });

  it('states the decision in the cluster report, with counts and no member names', async () => {
    await coordinator().say('/lc report LC1');
    const file = await runtime.db.download.findFirstOrThrow({ where: { filename: 'LC1-summary-report.md' }, orderBy: { createdAt: 'desc' } });
    const markdown = Buffer.from(file.body).toString('utf8');
    expect(markdown).toContain('### Way forward');
    expect(markdown).toContain('**Transform: the same members, a new approach**, recorded on');
    expect(markdown).toContain('Follow-on cluster: LC6 “Care at Home” (Home Care Services), starting on Mon 5 Apr 2027.');
    expect(markdown).toContain('Of the 3 members asked, 2 joined the follow-on cluster, 1 said no and 0 did not answer.');
    expect(markdown).toContain('Note: Agreed in Prishtina');
    const section = markdown.slice(markdown.indexOf('### Way forward'), markdown.indexOf('## 4.'));
    for (const m of members) expect(section).not.toContain(names.get(m)!);
  });
});
