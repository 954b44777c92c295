import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { translator } from '../../src/core/i18n.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/**
 * Sentences the bot puts together from several catalogue texts read whole in every language: the thing
 * "not found" is a catalogue text too (no English noun from code inside an Albanian sentence), and a plan
 * task of a cluster without a presentation event (EE2, so no due date) has its own sentence, not ", .".
 */
const seeded = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let lc2: { id: string };

async function personOf(key: string) {
  return (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } })).personId;
}
async function setLocale(key: string, locale: string) {
  await runtime.db.person.update({ where: { id: await personOf(key) }, data: { locale } });
}

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(seeded) });
  await seedDemo(runtime.db, seeded);
  lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
});

describe('when something a button points at is not found', () => {
  it('names the missing thing in the reader\'s language', async () => {
    const expected: Record<string, string> = {
      en: "I couldn't find that plan version.",
      sq: 'Nuk e gjeta: versioni i planit.',
      'sr-Cyrl': 'Није пронађено: верзија плана.',
      mk: 'Не можев да најдам: верзијата на планот.',
    };
    for (const [locale, sentence] of Object.entries(expected)) {
      await setLocale('lc2-m1', locale);
      const text = textOf(await talkAs(runtime.bot, 'web:lc2-m1').press({ actionId: 'plan:diff', value: 'cmnoversionhere0000000000:draft' }));
      expect(text, locale).toContain(sentence);
    }
  });
});

describe('when a cluster has no presentation event, so a draft plan has no due date', () => {
  beforeAll(async () => {
    await runtime.db.timelineItem.updateMany({ where: { clusterId: lc2.id, roles: { has: 'CONCEPTS_PRESENTED' } }, data: { roles: [] } });
    await runtime.db.actionPlan.create({ data: { clusterId: lc2.id, authorId: await personOf('lc2-m1'), approach: 'Day-care Centers', stage: 'DRAFT' } });
    await runtime.db.actionPlan.create({
      data: {
        clusterId: lc2.id,
        authorId: await personOf('lc2-m2'),
        approach: 'Day-care Centers',
        goal: 'A day-care centre',
        change: 'Children cared for',
        targetGroup: 'Families',
        beneficiaries: 'Children',
        stage: 'DRAFT',
        activities: { create: [{ position: 0, activity: 'Find premises', responsible: 'Social services', deadline: new Date('2027-01-31'), resources: 'Budget', results: 'Premises ready' }] },
      },
    });
  });

  it('lists "finish your plan" and "submit your plan" as whole sentences, in every language', async () => {
    const literal: Record<string, [string, string]> = {
      en: ['Finish your action plan for LC2: 5 parts are missing.', 'Submit your action plan for LC2: it is complete.'],
      sq: ['Përfundoni planin tuaj të veprimit për klasterin LC2: mungojnë 5 pjesë.', 'Dorëzoni planin tuaj të veprimit për klasterin LC2: është i plotë.'],
      'sr-Cyrl': ['Довршите акциони план за кластер LC2: недостаје 5 делова.', 'Предајте акциони план за кластер LC2: план је потпун.'],
      mk: ['Довршете го вашиот акциски план за кластерот LC2: недостасуваат 5 дела.', 'Поднесете го вашиот акциски план за кластерот LC2: целосен е.'],
    };
    for (const locale of ['en', 'sq', 'sr-Latn', 'sr-Cyrl', 'bs', 'hr', 'mk']) {
      await setLocale('lc2-m1', locale);
      await setLocale('lc2-m2', locale);
      const unfinished = textOf(await talkAs(runtime.bot, 'web:lc2-m1').say('/lc home'));
      const complete = textOf(await talkAs(runtime.bot, 'web:lc2-m2').say('/lc home'));
      const t = translator(locale);
      expect(unfinished, locale).toContain(t('home:tasks.finishPlanUndated', { cluster: 'LC2', count: 5 }));
      expect(complete, locale).toContain(t('home:tasks.submitPlanUndated', { cluster: 'LC2' }));
      if (literal[locale]) {
        expect(unfinished, locale).toContain(literal[locale][0]);
        expect(complete, locale).toContain(literal[locale][1]);
      }
      for (const text of [unfinished, complete]) expect(text, locale).not.toMatch(/, *\./);
    }
  });
});
