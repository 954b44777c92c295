import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import * as enums from '../../src/generated/prisma/enums.js';
import type { Runtime } from '../../src/server/runtime.js';
import { RecordingSender, submittedPlan } from './feedback/factory.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * Plain words (issue 17 item 5): the main journeys, run as people run them, never show an internal name.
 * Every reply and every message the bot sends on its own is swept for questionnaire keys, enum values,
 * "(s)" plurals, "1 parts"-style counts, unresolved catalogue keys and EE1/EE2/EE3 with no spelled-out form
 * in the same message. Then the examples that were seen, one by one.
 */

const today = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let recorder: RecordingSender;
const said: { who: string; what: string; text: string }[] = [];

const QUESTIONNAIRE_KEYS = readdirSync(join(import.meta.dirname, '../../questionnaires')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
/** Every enum value of the schema that is not also an ordinary word people could read (WEB, SLACK, TEAMS are names). */
const ENUM_VALUES = [...new Set(Object.values(enums).flatMap((e) => (typeof e === 'object' && e ? Object.values(e as Record<string, unknown>) : [])).filter((v): v is string => typeof v === 'string'))].filter(
  (v) => /^[A-Z][A-Z_]+$/.test(v) && !['WEB', 'SLACK', 'TEAMS'].includes(v),
);
const COUNTED_NOUNS = 'parts|registrations|people|reviewers|reviews|answers|questions|plans|members|activities|suggestions|comments|days|sessions|reminders|invitations|clusters|municipalities|pieces';

/** What is wrong with one message's text, in words a failing test can show. */
function faultsOf(shown: string): string[] {
  // Addresses are not read as words (a download's file name may carry a key).
  const text = shown.replace(/https?:\/\/[^\s)\]]+/g, '<link>');
  const faults: string[] = [];
  for (const key of QUESTIONNAIRE_KEYS) if (text.includes(key)) faults.push(`questionnaire key "${key}"`);
  for (const value of ENUM_VALUES) if (new RegExp(`\\b${value}\\b`).test(text)) faults.push(`enum value ${value}`);
  if (/\w\((s|es)\)/.test(text)) faults.push('"(s)" instead of a plural');
  const one = text.match(new RegExp(`(^|[^\\d.,/])1 (${COUNTED_NOUNS})\\b`));
  if (one) faults.push(`"1 ${one[2]}"`);
  const key = text.match(/\b[a-z]+:[a-z][A-Za-z]*\.[A-Za-z.]+\b/);
  if (key) faults.push(`catalogue key ${key[0]}`);
  if (text.includes('{{')) faults.push('unfilled placeholder');
  for (const n of ['1', '2', '3']) {
    if (new RegExp(`\\bEE${n}\\b`).test(text) && !new RegExp(`exchange event ${n}\\b`, 'i').test(text)) faults.push(`EE${n} not spelled out`);
  }
  return faults;
}

/** Talks as someone, keeping every reply for the sweep. */
function person(key: string) {
  const talk = talkAs(runtime.bot, `web:${key}`);
  const keep = (what: string) => (replies: OutboundMessage[]) => {
    for (const m of replies) said.push({ who: key, what, text: textOf(m) });
    return replies;
  };
  return {
    say: (text: string) => talk.say(text).then(keep(text)),
    press: (button: Parameters<typeof talk.press>[0]) => talk.press(button).then(keep(`press ${'label' in button ? button.label : button.actionId}`)),
    submit: (form: Parameters<typeof talk.submit>[0], values: Record<string, string | string[]>) => talk.submit(form, values).then(keep(`submit ${form.formId}`)),
  };
}

const goal = { approach: 'Day-care Centers', goal: 'A day-care centre for 20 elderly people', change: 'Fewer elderly people alone at home', targetGroup: 'Elderly people living alone', beneficiaries: 'Elderly people and their families' };
const activity = { activity: 'Secure premises for the centre', responsible: 'Social services', deadline: '2027-01-15', challenges: '', mitigation: '', resources: 'Municipal budget line', results: 'Premises ready' };

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(today) });
  await seedDemo(runtime.db, today);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  recorder = new RecordingSender();
  runtime.notifier.register(recorder);
  const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const coordinator = person('lc1-coordinator');
  const m1 = person('lc1-m1');
  const m2 = person('lc1-m2');

  // Help and home for every role.
  for (const who of [coordinator, m1, person('lc1-rp1')]) {
    await who.say('/lc help');
    await who.say('/lc help all');
    await who.say('/lc home');
    await who.say('/lc me');
  }
  await m1.say('/lc profile');

  // Join: a newcomer registers.
  const newcomer = person('newcomer');
  const joinForm = formOf(await newcomer.say('/lc join'));
  await newcomer.submit(joinForm, { choice1: lc1.id, choice2: '', choice3: '', organisationName: 'Gjakova', position: 'Officer', country: 'XK', languages: 'sq, en', timeZone: 'Europe/Belgrade', caseDescription: '', consent: 'true' });
  await newcomer.say('/lc profile');
  await coordinator.say('/lc assign');

  // The plan with forms (m1), then step by step (m2).
  let replies = await m1.say('/lc plan');
  await m1.submit(formOf(await m1.press(findButton(replies, 'Edit goal and beneficiaries'))), goal);
  replies = await m1.say('/lc plan');
  replies = await m1.submit(formOf(await m1.press(findButton(replies, 'Add activity'))), activity);
  await m1.press(findButton(replies, 'Submit my plan'));
  await m1.say('hello');

  replies = await m2.say('/lc plan');
  replies = await m2.press(findButton(replies, /Answer step by step|Continue where I left off/));
  for (let step = 0; step < 30 && !textOf(replies).includes('Do you want to add another activity?'); step++) {
    replies = await m2.say(textOf(replies).includes('Till when') ? '15.01.2027' : 'skip');
  }
  await m2.say('no');
  await m2.say('/lc plan');

  // Peer feedback: a round over submitted plans, a review written and sent.
  for (const m of ['web:lc1-m3', 'web:lc1-m4', 'web:lc1-m5']) await submittedPlan(runtime.db, 'LC1', m);
  replies = await coordinator.say('/lc feedback-round LC1');
  replies = await coordinator.submit(formOf(replies), { deadline: '2026-12-20', reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'yes', delivery: 'asSubmitted' });
  await coordinator.press(findButton(replies, 'Confirm and notify'));
  const m3 = person('lc1-m3');
  replies = await m3.say('/lc feedback');
  const write = buttonsOf(replies).find((b) => b.actionId === 'feedback:write');
  if (write) {
    let form = formOf(await m3.press(write));
    for (let page = 0; page < 10; page++) {
      const next = await m3.submit(form, { strengths: 'Clear goal', questions: '', suggestions: 'Name the budget', rating: '4' });
      const send = buttonsOf(next).find((b) => b.label === 'Send feedback');
      if (send) {
        await m3.press(send);
        break;
      }
      form = formOf(next);
    }
  }
  await coordinator.say('/lc feedback');

  // Questionnaires: one sent now, listed, answered as one form; results.
  replies = await coordinator.say('/lc survey send');
  await coordinator.submit(formOf(replies), { questionnaire: 'ee2-evaluation', cluster: lc1.id, when: 'now', closes: '2026-12-10', anonymous: 'no', minGroupSize: '1' });
  await coordinator.say('/lc survey');
  replies = await m1.say('/lc survey');
  const asForm = buttonsOf(replies).find((b) => b.label === 'Answer as one form');
  if (asForm) await m1.submit(formOf(await m1.press(asForm)), {});
  await coordinator.say('/lc results');

  // Questions to resource persons.
  replies = await m1.say('/lc ask Who must own the premises before we can open the centre?');
  const askForm = formOf(replies);
  replies = await m1.submit(askForm, { question: 'Who must own the premises before we can open the centre?', cluster: lc1.id, link: '', urgent: 'no' });
  const send = buttonsOf(replies).find((b) => b.label === 'Send my question to a resource person');
  if (send) await m1.press(send);
  await person('lc1-rp1').say('/lc questions');

  // Status, timeline, nudges, report.
  await coordinator.say('/lc status LC1');
  await coordinator.say('/lc timeline LC1');
  await coordinator.say('/lc nudges LC1');
  await coordinator.say('/lc nudge LC1 members Please bring your case');
  await coordinator.say('/lc members LC1');
  await coordinator.say('/lc plans LC1');
  await coordinator.say('/lc report LC1');
}, 240_000);

describe('when the main journeys run from help to the report', () => {
  it('went through them (the sweep has something to sweep)', () => {
    const whats = said.map((s) => s.what);
    for (const command of ['/lc help', '/lc plan', '/lc feedback', '/lc survey', '/lc status LC1', '/lc report LC1', '/lc nudges LC1']) expect(whats).toContain(command);
    expect(said.length).toBeGreaterThan(60);
    expect(recorder.sent.length).toBeGreaterThan(5);
  });

  it('shows no slug, enum value, "(s)", "1 parts" or unspelled EE1/EE2/EE3 in any reply', () => {
    const faults = said.flatMap((s) => faultsOf(s.text).map((f) => `${s.who} after "${s.what}": ${f}\n  ${s.text.slice(0, 300)}`));
    expect(faults).toEqual([]);
  });

  it('shows none in any message the bot sent on its own (notices, invitations, feedback)', () => {
    const faults = recorder.sent.flatMap((s) => faultsOf(textOf(s.message)).map((f) => `${s.externalId}: ${f}\n  ${textOf(s.message).slice(0, 300)}`));
    expect(faults).toEqual([]);
  });

  it('writes none into the summary report', async () => {
    const file = await runtime.db.download.findFirstOrThrow({ where: { filename: 'LC1-summary-report.md' }, orderBy: { createdAt: 'desc' } });
    const markdown = Buffer.from(file.body).toString('utf8');
    expect(faultsOf(markdown)).toEqual([]);
  });

  it('would catch each kind of fault (the sweep can fail)', () => {
    expect(faultsOf('Status: ee1-evaluation 3 / 8')).toHaveLength(1);
    expect(faultsOf('This plan cannot move from SUBMITTED to SUBMITTED.')).toEqual(['enum value SUBMITTED']);
    expect(faultsOf('Add 2 reviewer(s) by hand')).toHaveLength(1);
    expect(faultsOf('1 parts are missing')).toHaveLength(1);
    expect(faultsOf('Submit for EE2')).toHaveLength(1);
    expect(faultsOf('Submit for exchange event 2 (EE2)')).toHaveLength(0);
    expect(faultsOf('plan:submit.done')).toHaveLength(1);
  });
});

describe('the examples that were seen', () => {
  const lastReply = (who: string, what: string) => said.filter((s) => s.who === who && s.what === what).map((s) => s.text).join('\n');

  it('names a questionnaire in the status by its title, not its key', () => {
    const status = lastReply('lc1-coordinator', '/lc status LC1');
    expect(status).toContain('Evaluation of exchange event 2: ');
    expect(status).not.toContain('ee2-evaluation');
  });

  it('counts only drafts with something written as drafted, not a plan merely opened', () => {
    // m1 submitted, m2 skipped every question (an opened, empty draft), m6 never opened /lc plan.
    expect(lastReply('lc1-coordinator', '/lc status LC1')).toContain('Drafted: 0');
  });

  it('tells a seeded member who never registered where they are, not "you have not registered"', () => {
    const text = lastReply('lc1-m1', '/lc profile');
    expect(text).toContain('You are in LC1 already');
    expect(text).not.toContain('You have not registered');
  });

  it('answers "hello" after a submitted plan without offering step-by-step answering', () => {
    const text = lastReply('lc1-m1', 'hello');
    expect(text).not.toContain('step by step');
    expect(text).toContain('Your plan is submitted');
  });

  it('writes the feedback round notice with plural words and people counted once', () => {
    const text = lastReply('lc1-coordinator', 'press Confirm and notify');
    expect(text).toMatch(/The feedback round of LC1 is open: \d+ reviewers were asked to write feedback\./);
    expect(text).not.toMatch(/reached/);
  });

  it('tells the coordinator where people went as "their" choice, and a coordinator with nothing to answer in neutral words', () => {
    expect(lastReply('lc1-coordinator', '/lc assign')).toMatch(/their first choice|open registration\./);
    expect(lastReply('lc1-coordinator', '/lc assign')).not.toContain('your first choice');
    expect(lastReply('lc1-coordinator', '/lc survey')).not.toContain('your coordinator');
  });

  it('marks every field the plan needs before submitting, not only "Activity"', async () => {
    const m = talkAs(runtime.bot, 'web:lc1-m6');
    const form = formOf(await m.press(findButton(await m.say('/lc plan'), 'Add activity')));
    const label = (name: string) => form.fields.find((f) => f.name === name)!.label;
    for (const name of ['responsible', 'deadline', 'resources', 'results']) expect(label(name)).toContain('(needed to submit)');
    expect(label('challenges')).not.toContain('needed');
    expect(form.fields.find((f) => f.name === 'activity')!.required).toBe(true);
  });
});
