import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { translator } from '../../src/core/i18n.js';
import type { Language } from '../../src/core/languages.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { projectPath } from '../../src/core/paths.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { NudgePayload } from '../../src/scheduler/plan.js';
import { renderNudges } from '../../src/scheduler/render.js';
import type { Runtime } from '../../src/server/runtime.js';
import { submittedPlan } from '../flows/feedback/factory.js';
import { EnglishFinder, englishSentences, typedData } from '../support/english.js';
import { testRuntime } from '../support/harness.js';
import { registrationValues } from '../flows/clusters/helpers.js';
import { buttonsOf, findButton, formOf, talkAs } from '../support/transcript.js';

/**
 * The main journeys (help, join, plan both ways, feedback, survey, ask, home, nudges) in sq, sr-Cyrl and
 * mk, each reply (and every message sent to someone meanwhile) searched for English: a sentence of the
 * English catalogue or questionnaires that the language's own texts do not share, or a line with two or
 * more English function words once what people typed (names, places, plans) is set aside. An English
 * sentence found is a missing key or a hard-coded string. A language whose catalogue or questionnaire
 * translations are not on this checkout yet is not run; the test names say which were.
 */
const TODAY = new Date('2026-11-23T09:00:00Z');
const journeys: { language: Language; cluster: string; sample: string }[] = [
  { language: 'sq', cluster: 'LC1', sample: 'Një qendër ditore për fëmijët në komunën tonë' },
  { language: 'sr-Cyrl', cluster: 'LC2', sample: 'Дневни центар за децу у нашој општини' },
  { language: 'mk', cluster: 'LC4', sample: 'Дневен центар за децата во нашата општина' },
];
/** A language runs once its catalogue and its questionnaire translations are on the checkout (sr-Cyrl: sr-Latn's). */
const written = (language: Language) => (language === 'sr-Cyrl' ? 'sr-Latn' : language);
const present = journeys.filter((j) => existsSync(projectPath('locales', written(j.language))) && existsSync(projectPath('questionnaires', 'translations', written(j.language))));

const clock = new ManualClock(TODAY);
let runtime: Runtime;

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, TODAY, { languages: 'region' });
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
});

// ------------------------------------------------------------------ the journeys

async function externalIdsOf(code: string) {
  const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code } });
  const id = (key: string) => `web:${code.toLowerCase()}-${key}`;
  return { cluster, member: id('m1'), reviewer: id('m3'), coordinator: id('coordinator'), rp: id('rp1') };
}

describe('when the main journeys run in the region\'s languages', () => {
  it(`names the languages it runs: ${present.map((j) => j.language).join(', ') || 'none yet (no catalogue with questionnaire translations on this checkout)'}`, () => {
    console.info(`journeys run in: ${present.map((j) => j.language).join(', ') || 'no language'}`);
    expect(present.length).toBeLessThanOrEqual(journeys.length);
  });

  describe.each(present)('$language', ({ language, cluster: code, sample }) => {
    it('meets no English sentence in any reply or message sent meanwhile', { timeout: 120_000 }, async () => {
      const t = translator(language);
      const { cluster, member, reviewer, coordinator, rp } = await externalIdsOf(code);
      // Everyone in the cluster reads the language (LC2 mixes Latin and Cyrillic; the demo's London resource person reads English).
      await runtime.db.person.updateMany({ where: { memberships: { some: { clusterId: cluster.id } } }, data: { locale: language } });
      for (let i = 2; i <= 8; i++) await submittedPlan(runtime.db, code, `web:${code.toLowerCase()}-m${i}`);
      const guestId = `web:journey-guest-${language}`;
      const typed = [sample, 'Elderly people living alone in villages.', 'Prizren', 'Social worker', 'Europe/Belgrade', 'sq, en'];
      const finder = new EnglishFinder();
      const say = async (who: string, step: string, text: string) => finder.check(step, await talkAs(runtime.bot, who).say(text));
      const press = async (who: string, step: string, replies: OutboundMessage[], label: string) => finder.check(step, await talkAs(runtime.bot, who).press(findButton(replies, label)));
      const submit = async (who: string, step: string, replies: OutboundMessage[], values: Record<string, string | string[]>) => finder.check(step, await talkAs(runtime.bot, who).submit(formOf(replies), values));

      // Choosing the language (and the answer already in it).
      for (const who of [member, coordinator, rp]) await say(who, 'language', `/lc language ${language}`);
      // Help, and every command.
      const help = await say(member, 'help', '/lc help');
      await press(member, 'help all', help, t('help:buttons.all'));
      await say(coordinator, 'help (coordinator)', '/lc help all');
      // Home and me.
      await say(member, 'home', '/lc home');
      await say(member, 'me', '/lc me');
      // Join, as somebody new who reads the language.
      await say(guestId, 'join language', `/lc language ${language}`);
      const join = await say(guestId, 'join', '/lc join');
      const refused = await submit(guestId, 'join (mistakes)', join, { ...registrationValues([cluster.id]), country: 'Kosovo', consent: 'false' });
      await submit(guestId, 'join (saved)', refused, registrationValues([cluster.id]));
      // The plan step by step, then with forms.
      const plan = await say(member, 'plan', '/lc plan');
      const guided = await press(member, 'plan guided', plan, t('plan:buttons.guided'));
      void guided;
      await say(member, 'plan guided answer', sample);
      await say(member, 'plan guided answer 2', sample);
      await say(member, 'plan guided stop', 'stop');
      const again = await say(member, 'plan again', '/lc plan');
      const goalForm = await press(member, 'plan form', again, t('plan:buttons.editGoal'));
      const goal = formOf(goalForm);
      await submit(member, 'plan form saved', goalForm, Object.fromEntries(goal.fields.map((f) => [f.name, typeof f.initial === 'string' && f.initial ? f.initial : sample])));
      // Feedback: the coordinator opens a round, a member reviews, the author reads.
      const round = await say(coordinator, 'feedback round', `/lc feedback-round ${code}`);
      const preview = await submit(coordinator, 'feedback round preview', round, { deadline: '2026-12-20', reviewersPerPlan: '1', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' });
      await press(coordinator, 'feedback round confirm', preview, t('feedback:preview.confirm'));
      await say(reviewer, 'feedback list', '/lc feedback');
      const assignment = await runtime.db.feedbackAssignment.findFirst({ where: { reviewer: { identities: { some: { externalId: reviewer } } }, round: { clusterId: cluster.id } } });
      if (assignment) {
        let step = finder.check('feedback write', await talkAs(runtime.bot, reviewer).press({ actionId: 'feedback:write', value: assignment.id }));
        step = await submit(reviewer, 'feedback write 1', step, { strengths: sample, suggestions: sample });
        for (let i = 0; i < 10 && !formOf(step).formId.startsWith('feedback:overall:'); i++) step = await submit(reviewer, 'feedback write n', step, {});
        const review = await submit(reviewer, 'feedback review', step, { rating: '3' });
        await press(reviewer, 'feedback send', review, t('feedback:form.send'));
      }
      await say(coordinator, 'feedback (coordinator)', '/lc feedback');
      // A questionnaire: the coordinator sends the EE2 evaluation, a member answers the first question.
      const send = await say(coordinator, 'survey send', '/lc survey send');
      await submit(coordinator, 'survey sent', send, { questionnaire: 'ee2-evaluation', cluster: cluster.id, when: 'now', closes: '2026-12-10', anonymous: 'no', minGroupSize: '5' });
      const surveys = await say(member, 'survey', '/lc survey');
      const run = await runtime.db.questionnaireRun.findFirstOrThrow({ where: { clusterId: cluster.id }, orderBy: { createdAt: 'desc' } });
      const first = finder.check('survey begin', await talkAs(runtime.bot, member).press({ actionId: 'survey:begin', value: run.id }));
      const answer = buttonsOf(first).find((b) => b.value?.startsWith(`${run.id}|`));
      if (answer) finder.check('survey answer', await talkAs(runtime.bot, member).press(answer));
      void surveys;
      // A question to the resource persons.
      await say(member, 'ask', `/lc ask ${sample}?`);
      await say(rp, 'questions', '/lc questions');
      // Reminders: the coordinator's list, and the member's next planned reminders as the scheduler renders them.
      await say(coordinator, 'nudges', `/lc nudges ${code}`);
      await runtime.scheduler.replan(cluster.id);
      const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: member } } } });
      const planned = await runtime.db.plannedNudge.findMany({ where: { personId: person.id, status: 'PLANNED' }, orderBy: { dueAt: 'asc' } });
      expect(planned.length).toBeGreaterThan(0);
      for (const nudge of planned) finder.check(`nudge ${nudge.kind}`, [renderNudges([nudge.payload as unknown as NudgePayload], person)]);
      // Everything sent to anyone meanwhile (invitations, notices, feedback delivered, questions routed).
      for (const who of [member, reviewer, coordinator, rp, guestId, ...Array.from({ length: 8 }, (_, i) => `web:${code.toLowerCase()}-m${i + 1}`)]) finder.check(`sent to ${who}`, await runtime.webSender.drain(who));

      // Typed data is known only now (plans, registrations): check the function words against it.
      expect(finder.problems(language, englishSentences(language, runtime.questionnaires), await typedData(runtime.db, typed))).toEqual([]);
    });
  });
});
