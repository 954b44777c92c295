import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { toCyrillic } from '../../src/core/transliterate.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { answerQuestion, askQuestion, setFaqConsent, type QuestionDeps } from '../../src/domain/questions/lifecycle.js';
import { searchAnswered } from '../../src/domain/questions/search.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/**
 * FAQ search across the region's languages and scripts (issue 18, item 8): diacritics do not matter,
 * and Serbian typed in Latin finds Cyrillic and the other way round, in the search and in `/lc faq`.
 */
let runtime: Runtime;
let deps: QuestionDeps;
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
let lc1: { id: string; programmeId: string };
const found: Record<string, string> = {};

async function personOf(key: string) {
  return (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } })).personId;
}

async function publish(asker: string, question: string, answer: string): Promise<string> {
  const asked = await askQuestion(deps, { askerId: await personOf(asker), clusterId: lc1.id, text: question, urgent: false });
  await answerQuestion(deps, asked.questionId, asked.assignment!.personId, answer);
  await setFaqConsent(deps, asked.questionId, await personOf(asker), true);
  return asked.questionId;
}

const search = async (words: string) => (await searchAnswered(runtime.db, { words, clusterIds: [lc1.id], programmeIds: [], limit: 10 })).map((f) => f.questionId);

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  deps = { db: runtime.db, clock, notifier: runtime.notifier, deadlines: runtime.services.questionDeadlines };
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  found.sq = await publish('lc1-m1', 'Ku mund të gjejmë përgjigje për financimin e qendrës ditore?', 'Përgjigjen e jep zyra komunale për financim.');
  found.srLatn = await publish('lc1-m2', 'Kome da se obratimo za pomoć oko zakupa prostorija?', 'Za pomoć oko zakupa pišite opštinskoj službi.');
  found.srCyrl = await publish('lc1-m3', 'Где се налази образац за пријаву вртића?', 'Образац за пријаву вртића је у општинској канцеларији.');
  found.mk = await publish('lc1-m1', 'Каде да побараме помош за обука на персоналот?', 'Помош за обука дава центарот за социјална работа.');
});

describe('when someone searches the FAQ in the region\'s languages', () => {
  it('does not mind diacritics: pomoc finds pomoć, pergjigje finds përgjigje', async () => {
    expect(await search('pomoc zakupa')).toContain(found.srLatn);
    expect(await search('pergjigje financim')).toContain(found.sq);
    expect(await search('POMOĆ ZAKUPA')).toContain(found.srLatn);
  });

  it('finds Serbian Cyrillic from words typed in Latin, with or without diacritics', async () => {
    expect(await search('obrazac prijavu vrtića')).toContain(found.srCyrl);
    expect(await search('obrazac prijavu vrtica')).toContain(found.srCyrl);
  });

  it('finds Serbian Latin from words typed in Cyrillic', async () => {
    expect(await search('помоћ закупа')).toContain(found.srLatn);
  });

  it('finds Macedonian typed in Latin letters without diacritics', async () => {
    expect(await search('pomos obuka')).toContain(found.mk);
    expect(await search('pomoš obuka')).toContain(found.mk);
  });

  it('keeps what is unrelated out, in any script', async () => {
    const hits = await search('образац пријаву');
    expect(hits).toContain(found.srCyrl);
    expect(hits).not.toContain(found.sq);
    expect(hits).not.toContain(found.mk);
  });

  it('folds the way the catalogue transliteration writes Serbian Cyrillic (src/core/transliterate.ts)', async () => {
    const words = ['pomoć', 'ljubav', 'njega', 'džep', 'đak', 'čas', 'šuma', 'žena', 'Ćuprija', 'Đorđe', 'Džemal', 'Ljiljana'];
    const rows = await runtime.db.$queryRawUnsafe<{ latin: string; cyrillic: string }[]>(
      `SELECT cb_search_fold(l) AS latin, cb_search_fold(c) AS cyrillic FROM unnest($1::text[], $2::text[]) AS w(l, c)`,
      words,
      words.map(toCyrillic),
    );
    for (const [i, row] of rows.entries()) expect(row.cyrillic, `${words[i]} / ${toCyrillic(words[i])}`).toBe(row.latin);
  });

  it('answers `/lc faq` typed without diacritics with the answer written with them', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-m2').say('/lc faq pomoc oko zakupa'));
    expect(text).toContain('Za pomoć oko zakupa pišite opštinskoj službi.');
  });
});
