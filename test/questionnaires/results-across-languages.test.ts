import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { findDownload } from '../../src/core/downloads.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * Questionnaires across languages (issue 18, items 6 and 7): members answer the EE2 evaluation in
 * Albanian, Serbian and Macedonian; the results count answers by option, not by label, and are shown,
 * exported and reported in the reader's language, with the report's language chosen by the coordinator.
 */
const TODAY = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let clock: ManualClock;
let runId: string;
const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');

type Translation = { title: string; questions: Record<string, { text: string; labels?: string[]; options?: Record<string, string> }> };
const translation = (language: string): Translation =>
  parseYaml(readFileSync(new URL(`../../questionnaires/translations/${language}/ee2-evaluation.yaml`, import.meta.url), 'utf8')) as Translation;
const sq = translation('sq');

async function setLocale(externalId: string, locale: string) {
  await runtime.db.person.updateMany({ where: { identities: { some: { externalId } } }, data: { locale } });
}
function rawText(messages: OutboundMessage[]): string {
  return messages.flatMap((m) => m.blocks).map((b) => ('text' in b ? b.text : '')).join('\n');
}
function linkIn(text: string, label?: string): string {
  const link = [...text.matchAll(/\[([^\]]+)\]\(([^)]+)\)/g)].find((l) => label === undefined || l[1] === label);
  if (!link) throw new Error(`no link ${label} in ${text}`);
  return link[2];
}
async function download(url: string): Promise<string> {
  const id = /\/files\/([\w-]{43})\//.exec(url)![1];
  const file = await findDownload(runtime.db, id, clock.now());
  if (!file) throw new Error(`no download behind ${url}`);
  return Buffer.from(file.body).toString('utf8');
}

beforeAll(async () => {
  clock = new ManualClock(TODAY);
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, TODAY);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  await setLocale('web:lc1-coordinator', 'en');
  const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const c = coordinator();
  await c.submit(formOf(await c.say('/lc survey send')), { questionnaire: 'ee2-evaluation', cluster: lc1.id, when: 'now', closes: '2026-12-10', anonymous: 'no', minGroupSize: '5' });
  runId = (await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } })).id;

  // Three members, three languages: each sees the first question in their language and answers by its button.
  const answers: [string, string, number, string][] = [
    ['web:lc1-m1', 'sq', 4, 'consolidate'],
    ['web:lc1-m2', 'sr-Latn', 5, 'consolidate'],
    ['web:lc1-m3', 'mk', 4, 'start'],
  ];
  for (const [member, language, useful, next] of answers) {
    await setLocale(member, language);
    const own = translation(language);
    const person = talkAs(runtime.bot, member);
    const first = await person.press({ actionId: 'survey:begin', value: runId });
    expect(textOf(first), language).toContain(own.questions.feedback_useful.text);
    await person.press(findButton(first, `${useful} · ${own.questions.feedback_useful.labels![useful - 1]}`));
    const form = formOf(await person.press({ actionId: 'survey:form', value: runId }));
    await person.submit(form, { feedback_useful: String(useful), method_suited: '4', next_step: next, support_needed: [], improve_method: '' });
  }
});

describe('when members answer one questionnaire in three languages', () => {
  it('counts the answers together by option for an English coordinator', async () => {
    const replies = await coordinator().press({ actionId: 'results:details', value: runId });
    const text = textOf(replies);
    expect(text).toContain('3 of 8 answered');
    expect(text).toContain('- Consolidate it with the feedback: 2\n- Start applying it right away: 1\n- Not sure yet: 0');
    expect(text).toContain('- 4 Agree: 2\n- 5 Strongly agree: 1');
    expect(text).toContain('Answers: 3, mean 4.3, median 4');
  });

  it('shows the same results in Albanian to a coordinator who reads Albanian, with the Albanian decimal sign', async () => {
    await setLocale('web:lc1-coordinator', 'sq');
    try {
      const details = await coordinator().press({ actionId: 'results:details', value: runId });
      const text = textOf(details);
      // The charts' alt texts (what stands for the picture) speak Albanian too, numbers included.
      const alts = details.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'image' ? [b.alt] : [])).join('\n');
      expect(alts).toContain(sq.questions.next_step.options!.consolidate);
      expect(alts).toContain('4,3');
      expect(text).toContain(`- ${sq.questions.next_step.options!.consolidate}: 2\n- ${sq.questions.next_step.options!.start}: 1`);
      expect(text).toContain(`- 4 ${sq.questions.feedback_useful.labels![3]}: 2`);
      expect(text).toContain('4,3');
      expect(text).not.toContain('Consolidate it with the feedback');
      // The CSV: the same answers, labelled in Albanian.
      const csvReply = await coordinator().press({ actionId: 'results:csv', value: runId });
      const [header, ...cells] = parseCsv((await download(linkIn(rawText(csvReply)))).replace(/^\ufeff/, '')) as string[][];
      // The headers too: the column names and each question's text are Albanian, in the questionnaire's order.
      expect(header.slice(0, 3)).toEqual(['Përgjigjja', 'I anketuari', `1. ${sq.questions.feedback_useful.text}`]);
      const nextStep = header.indexOf(`3. ${sq.questions.next_step.text}`);
      expect(nextStep).toBe(4);
      expect(cells.map((r) => r[nextStep]).sort()).toEqual([sq.questions.next_step.options!.consolidate, sq.questions.next_step.options!.consolidate, sq.questions.next_step.options!.start].sort());
      expect(cells.map((r) => r[0]).sort()).toEqual(['1', '2', '3']);
    } finally {
      await setLocale('web:lc1-coordinator', 'en');
    }
  });
});

describe('when a coordinator who reads Serbian in Cyrillic exports the results', () => {
  it('writes the CSV headers in Cyrillic, and the same answers by option', async () => {
    await setLocale('web:lc1-coordinator', 'sr-Cyrl');
    try {
      const csv = await download(linkIn(rawText(await coordinator().press({ actionId: 'results:csv', value: runId }))));
      expect(csv.startsWith('\ufeff')).toBe(true);
      const [header, ...cells] = parseCsv(csv.replace(/^\ufeff/, '')) as string[][];
      expect(header.slice(0, 2)).toEqual(['Одговор', 'Испитаник']);
      expect(header).toHaveLength(2 + 5);
      expect(header[2]).toMatch(/^1\. [\u0400-\u04FF]/);
      expect(header.join(' ')).not.toMatch(/feedback|Response|next_step/);
      expect(cells.map((r) => r[2].split(' ')[0]).sort()).toEqual(['4', '4', '5']);
    } finally {
      await setLocale('web:lc1-coordinator', 'en');
    }
  });
});

describe('when a coordinator shares the cluster report', () => {
  it('writes it in the language they name (/lc report LC1 sq), in their own otherwise', async () => {
    const albanian = rawText(await coordinator().say('/lc report LC1 sq'));
    const md = await download(linkIn(albanian, 'Markdown'));
    expect(md).toContain('## Pjesëmarrësit');
    expect(md).toContain('U përgjigjën 3 nga 8');
    expect(md).not.toContain('## Participants');
    const html = await download(linkIn(albanian, 'printable page'));
    expect(html).toContain('Pjesëmarrësit');

    const english = rawText(await coordinator().say('/lc report LC1'));
    expect(await download(linkIn(english, 'Markdown'))).toContain('## Participants');
    const macedonian = rawText(await coordinator().say('/lc report Македонски LC1'));
    expect(await download(linkIn(macedonian, 'Markdown'))).not.toContain('## Participants');
  });
});
