import { beforeAll, describe, expect, it } from 'vitest';
import { accepts } from '../../src/core/flow.js';
import type { InboundEvent, OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { allFlows } from '../../flows/index.js';
import type { Runtime } from '../../src/server/runtime.js';
import { tableDigests } from '../support/db-snapshot.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/**
 * Issue 15, item 8: nothing is read back to someone who may not see it. Every button, menu and form the
 * bot accepts (taken from the flows' own declarations, `Flow.accepts`, which the core enforces, so a new
 * one is covered the day it is added) is sent by strangers to LC1 (LC2's coordinator, member and
 * resource person, and someone in no cluster) carrying the real ids of LC1's objects. No reply may hold
 * any of LC1's content (question and answer texts, plan goals and activities, plan versions, feedback,
 * replies, free-text survey answers, registration texts, the names of LC1's people), and no table may
 * change (content digests, FlowState excepted).
 */
const SECRET = {
  question: 'Secret-question: may Prishtina share the centre with the school?',
  answer: 'Secret-answer: only with a written agreement of both boards',
  goal: 'Secret-goal: a day-care centre in every district of Prishtina',
  change: 'Secret-change: families no longer wait a year for a place',
  activity: 'Secret-activity: visit the empty kindergarten on Rruga B',
  version: 'Secret-version: the first draft with the costs',
  feedback: 'Secret-feedback: the budget line for staff is missing',
  reply: 'Secret-reply: we will ask the ministry for staff money',
  survey: 'Secret-survey: more time with the host municipality',
  caseDescription: 'Secret-case: our centre closed after the flood',
  joint: 'Secret-joint: the Prizren study visit',
  practice: 'Secret-practice: the centre shares the school kitchen under a 2019 agreement',
};
const strangers = [
  { who: 'LC2 coordinator', identity: 'web:lc2-coordinator' },
  { who: 'LC2 member', identity: 'web:lc2-m1' },
  { who: 'LC2 resource person', identity: 'web:lc2-rp1' },
  { who: 'someone in no cluster', identity: 'web:strangers-nobody' },
];

let runtime: Runtime;
/** Real ids of LC1's objects, by the kind a declaration names in braces. */
const ids: Record<string, string> = {};
let secrets: string[];

beforeAll(async () => {
  runtime = await testRuntime();
  const now = new Date('2026-11-23T09:00:00Z');
  await seedDemo(runtime.db, now);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  const db = runtime.db;
  const lc1 = await db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const members = await db.membership.findMany({ where: { clusterId: lc1.id }, include: { person: true } });
  const author = members.find((m) => m.role === 'MEMBER')!;
  const reviewer = members.find((m) => m.role === 'MEMBER' && m.personId !== author.personId)!;
  const rp = members.find((m) => m.role === 'RESOURCE_PERSON')!;
  const plan = await db.actionPlan.create({ data: { clusterId: lc1.id, authorId: author.personId, approach: 'Day-care', goal: SECRET.goal, change: SECRET.change, stage: 'SUBMITTED', activities: { create: { position: 1, activity: SECRET.activity } } }, include: { activities: true } });
  const version = await db.actionPlanVersion.create({ data: { planId: plan.id, number: 1, stage: 'SUBMITTED', content: { goal: SECRET.goal, note: SECRET.version } } });
  const round = await db.feedbackRound.create({ data: { clusterId: lc1.id, deadline: new Date('2026-12-01T00:00:00Z'), seed: 1, status: 'OPEN' } });
  const assignment = await db.feedbackAssignment.create({ data: { roundId: round.id, planId: plan.id, reviewerId: reviewer.personId, status: 'SUBMITTED' } });
  const feedback = await db.feedback.create({ data: { assignmentId: assignment.id, content: { strengths: SECRET.feedback }, rating: 4, submittedAt: now } });
  await db.feedbackReply.create({ data: { feedbackId: feedback.id, fromAuthor: true, text: SECRET.reply } });
  const question = await db.routedQuestion.create({ data: { clusterId: lc1.id, askerId: author.personId, text: SECRET.question, status: 'OPEN' } });
  await db.questionAsk.create({ data: { questionId: question.id, personId: rp.personId } });
  await db.questionAnswer.create({ data: { questionId: question.id, authorId: rp.personId, text: SECRET.answer } });
  const questionnaire = await db.questionnaire.findFirstOrThrow({ where: { key: 'ee2-evaluation' }, include: { questions: true } });
  const run = await db.questionnaireRun.create({ data: { questionnaireId: questionnaire.id, clusterId: lc1.id, anonymous: false, minGroupSize: 1, status: 'OPEN', opensAt: now, closesAt: new Date('2026-12-20T00:00:00Z') } });
  await db.response.create({ data: { runId: run.id, respondentId: author.personId, submittedAt: now, answers: { create: { questionId: questionnaire.questions.find((q) => q.key === 'improve_method')!.id, value: SECRET.survey } } } });
  const programme = await db.programme.findFirstOrThrow();
  const registration = await db.registration.create({ data: { personId: author.personId, programmeId: programme.id, organisationName: 'Municipality of Prishtina', country: 'XK', languages: ['sq'], timeZone: 'Europe/Belgrade', caseDescription: SECRET.caseDescription, consentAt: now, status: 'ASSIGNED', assignedClusterId: lc1.id } });
  const item = await db.timelineItem.findFirstOrThrow({ where: { clusterId: lc1.id } });
  const joint = await db.jointEvent.create({ data: { programmeId: programme.id, type: item.type, title: SECRET.joint, startsAt: new Date('2027-02-01T09:00:00Z'), endsAt: new Date('2027-02-01T17:00:00Z') } });
  const edit = await db.timelineChange.create({ data: { clusterId: lc1.id, itemId: item.id } });
  // LC1's good practice (the demo documents it) gets a version only LC1 may read.
  const practiceId = (await db.cluster.findUniqueOrThrow({ where: { id: lc1.id } })).goodPracticeId!;
  const practiceVersion = await db.goodPracticeVersion.create({ data: { practiceId, number: 2, section: 'legal', authorId: rp.personId, content: { summary: SECRET.practice, legal: SECRET.practice } } });
  Object.assign(ids, {
    cluster: lc1.id, plan: plan.id, activity: plan.activities[0]!.id, version: version.id, round: round.id, assignment: assignment.id,
    feedback: feedback.id, question: question.id, run: run.id, registration: registration.id, membership: author.id, person: author.personId,
    item: item.id, joint: joint.id, edit: edit.id, practiceversion: practiceVersion.id, section: 'legal', programme: programme.id, date: '2026-11-24T09:00:00.000Z', n: '0',
  });
  secrets = [...Object.values(SECRET), ...members.map((m) => m.person.displayName)];
  for (const stranger of strangers) await talkAs(runtime.bot, stranger.identity).say('/lc help');
});

/** A declaration's pattern with LC1's real ids in place of its `{kind}`s. */
function fill(pattern: string): string {
  return pattern.replace(/\{([a-z*]+)\}/g, (_, kind: string) => ids[kind] ?? 'none');
}

/** True when a declaration carries someone's object (an id), not only the presser's own choice or a date. */
const carriesObject = (pattern: string) => /\{(?!date\}|n\})[a-z*]+\}/.test(pattern);

/** Every event the flows declare, with LC1's ids; `own`: it carries no object, so it acts on the presser only. */
function everyDeclaredEvent(): { label: string; event: InboundEvent; own: boolean }[] {
  const events: { label: string; event: InboundEvent; own: boolean }[] = [];
  for (const flow of allFlows) {
    for (const [actionId, value] of Object.entries(flow.accepts?.actions ?? {})) events.push({ label: `${actionId} ${fill(value)}`, event: { type: 'action', actionId, value: fill(value) }, own: !carriesObject(value) });
    for (const pattern of flow.accepts?.forms ?? []) {
      const formId = fill(pattern);
      events.push({ label: `form ${formId} (empty)`, event: { type: 'form', formId, values: {} }, own: !carriesObject(pattern) });
      // Every field the form may have, filled with plausible text (a proxy answers any field name).
      const filled = new Proxy({}, { get: (_, key) => (typeof key === 'string' ? 'Stranger wrote this 2026-12-01' : undefined), has: () => true });
      events.push({ label: `form ${formId} (filled)`, event: { type: 'form', formId, values: filled }, own: !carriesObject(pattern) });
    }
  }
  return events;
}

function leaks(replies: OutboundMessage[]): string[] {
  const all = JSON.stringify(replies);
  return secrets.filter((secret) => all.includes(secret));
}

describe('when strangers send every button, menu and form the bot accepts, with the ids of another cluster', () => {
  it('knows every button and form from the flows themselves, and refuses an id no flow declares', async () => {
    const undeclared = allFlows.filter((f) => f.handle && !f.accepts).map((f) => f.name);
    expect(undeclared).toEqual([]);
    const events = everyDeclaredEvent();
    expect(events.filter((e) => e.event.type === 'action').length).toBeGreaterThan(60);
    expect(events.filter((e) => e.event.type === 'form').length).toBeGreaterThan(50);
    for (const { event } of events) {
      const flow = allFlows.find((f) => f.name === (event.type === 'action' ? event.actionId : event.type === 'form' ? event.formId : '').split(':')[0]);
      expect(flow && accepts(flow, event as never), JSON.stringify(event)).toBe(true);
    }
    const refused = await talkAs(runtime.bot, 'web:lc1-m1').press({ actionId: 'questions:readAll', value: ids.question! });
    expect(textOf(refused)).not.toContain(SECRET.question);
    expect(textOf(refused).length).toBeGreaterThan(20);
  });

  it('shows none of the cluster\'s content in any reply and changes nothing in any table', async () => {
    // The seeded content is what is looked for: the owner's own view shows it (so an empty result means something).
    expect(leaks(await talkAs(runtime.bot, 'web:lc1-rp1').say('/lc questions'))).toContain(SECRET.question);
    const found: string[] = [];
    const internal: string[] = [];
    // First everything that carries one of LC1's objects: no table may change. Then the buttons and forms
    // that act on the presser alone (their own topics, snooze, erasure: theirs to do), for leaks only.
    const events = everyDeclaredEvent();
    expect(events.filter((e) => !e.own).length).toBeGreaterThan(80);
    const before = await tableDigests(runtime.db, ['FlowState']);
    let changed: string[] | undefined;
    for (const own of [false, true]) {
      if (own) {
        const after = await tableDigests(runtime.db, ['FlowState']);
        changed = Object.keys(after).filter((t) => after[t] !== before[t]);
      }
      for (const stranger of strangers) {
      const send = talkAs(runtime.bot, stranger.identity);
      for (const { label, event } of events.filter((e) => e.own === own)) {
        const replies = event.type === 'action' ? await send.press({ actionId: event.actionId, value: event.value }) : await send.submit({ formId: (event as { formId: string }).formId }, (event as { values: Record<string, string> }).values);
        // A coordinator of any cluster of the programme assigns the programme's registrations (docs/clusters.md):
        // the registrants' names in that preview are theirs to see.
        const leaked = stranger.who === 'LC2 coordinator' && label.startsWith('assign:') ? [] : leaks(replies);
        if (leaked.length) found.push(`${stranger.who}: ${label} → ${leaked.join(' | ')}`);
        if (/something went wrong on my side/i.test(textOf(replies))) internal.push(`${stranger.who}: ${label}`);
      }
      }
    }
    expect(found).toEqual([]);
    expect(internal).toEqual([]);
    expect(changed).toEqual([]);
  }, 600_000);
});
