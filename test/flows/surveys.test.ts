import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { findDownload } from '../../src/core/downloads.js';
import type { Block, OutboundMessage, Select } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { openRunAndInvite, remindNonRespondents } from '../../src/domain/questionnaires/invitations.js';
import { closeRun } from '../../src/domain/questionnaires/runs.js';
import type { LoggingSchedulerPort } from '../../src/core/scheduler-port.js';
import type { Platform } from '../../src/generated/prisma/enums.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';
import { datedGenericItem } from '../support/timeline.js';

const TODAY = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let clock: ManualClock;
let lc1: { id: string };
let memberNames: string[];

type Person = ReturnType<typeof talkAs>;
const people: Record<string, Person> = {};

/** Members 1–2 talk through Slack, 3–4 through Teams, 5–8 through the web chat: one person, several identities. */
const platformOf: Record<number, { platform: Platform; externalId: string }> = {
  1: { platform: 'SLACK', externalId: 'T01:U0001' },
  2: { platform: 'SLACK', externalId: 'T01:U0002' },
  3: { platform: 'TEAMS', externalId: 'tenant-1:aad-0003' },
  4: { platform: 'TEAMS', externalId: 'tenant-1:aad-0004' },
};

beforeAll(async () => {
  clock = new ManualClock(TODAY);
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, TODAY);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  for (let i = 1; i <= 8; i++) {
    const web = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: `web:lc1-m${i}` } });
    const other = platformOf[i];
    if (other) {
      await runtime.db.platformIdentity.create({ data: { personId: web.personId, ...other } });
      people[`m${i}`] = talkAs(runtime.bot, other.externalId, { platform: other.platform });
    } else people[`m${i}`] = talkAs(runtime.bot, `web:lc1-m${i}`);
  }
  memberNames = (await runtime.db.person.findMany({ where: { memberships: { some: { clusterId: lc1.id } } } })).map((p) => p.displayName);
});

function selectsOf(messages: OutboundMessage[]): Select[] {
  return messages.flatMap((m) => m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.filter((e): e is Select => e.type === 'select') : [])));
}
function imagesOf(messages: OutboundMessage[]): Extract<Block, { type: 'image' }>[] {
  return messages.flatMap((m) => m.blocks.filter((b): b is Extract<Block, { type: 'image' }> => b.type === 'image'));
}
function hasForm(messages: OutboundMessage[]): boolean {
  return messages.some((m) => m.blocks.some((b) => b.type === 'form'));
}
async function download(url: string) {
  const id = /\/files\/([\w-]{43})\//.exec(url)![1];
  const file = await findDownload(runtime.db, id, clock.now());
  if (!file) throw new Error(`no download behind ${url}`);
  return file;
}
function linkIn(text: string, label?: string): string {
  const links = [...text.matchAll(/\[([^\]]+)\]\(([^)]+)\)/g)];
  const link = label ? links.find((l) => l[1] === label) : links[0];
  if (!link) throw new Error(`no link in ${text}`);
  return link[2];
}
function rawText(messages: OutboundMessage[]): string {
  return messages.flatMap((m) => m.blocks).map((b) => ('text' in b ? b.text : '')).join('\n');
}

/**
 * Answers one question at a time, as a member would: buttons, menus, the short form, or a typed
 * message. `start` is the button that began (begin or change); answers missing from `wanted` are skipped.
 */
async function answerOneByOne(person: Person, runId: string, wanted: Record<string, unknown>, action = 'survey:begin') {
  let replies = await person.press({ actionId: action, value: runId });
  for (let step = 0; step < 20; step++) {
    if (textOf(replies).includes('Thank you! Your answers are saved.')) return replies;
    const values = [...buttonsOf(replies).map((b) => b.value ?? ''), ...selectsOf(replies).flatMap((s) => s.options.map((o) => o.value))].filter((v) => v.startsWith(`${runId}|`));
    // A required free-text question has no button carrying its key: recognise it by its text.
    const key = values[0]?.split('|')[1] ?? (await questionTextsOf(runId)).find((q) => textOf(replies).includes(q.text))?.key;
    if (!key) throw new Error(`no question found in: ${textOf(replies)}`);
    const want = wanted[key];
    if (want === undefined) {
      replies = await person.press(findButton(replies, 'Skip'));
    } else if (hasForm(replies)) {
      const form = formOf(replies);
      const values: Record<string, string | string[]> = Array.isArray(want) && form.fields[0].kind === 'select' ? Object.fromEntries(want.map((v, i) => [`${key}__${i + 1}`, v])) : { [key]: want as string[] };
      replies = await person.submit(form, values);
    } else {
      const value = `${runId}|${key}|${want}`;
      const button = buttonsOf(replies).find((b) => b.value === value);
      const select = selectsOf(replies).find((s) => s.options.some((o) => o.value === value));
      if (button) replies = await person.press(button);
      else if (select) replies = await person.choose(select, value);
      else replies = await person.say(String(want));
    }
  }
  throw new Error('the questionnaire did not end');
}

async function questionTextsOf(runId: string) {
  const run = await runtime.db.questionnaireRun.findUniqueOrThrow({ where: { id: runId }, include: { questionnaire: true } });
  return runtime.questionnaires.find((d) => d.key === run.questionnaire.key)!.questions.map((q) => ({ key: q.key, text: q.text.en }));
}

async function answerAsForm(person: Person, runId: string, values: Record<string, string | string[]>) {
  const form = formOf(await person.press({ actionId: 'survey:form', value: runId }));
  return person.submit(form, values);
}

async function sendAs(coordinator: string, values: Record<string, string>) {
  const c = talkAs(runtime.bot, coordinator);
  const form = formOf(await c.say('/lc survey send'));
  const replies = await c.submit(form, values);
  const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
  return { replies, run };
}

describe('when six members answer the EE2 evaluation through Slack, Teams and the web chat', () => {
  const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');
  let runId: string;

  it('sends the anonymous run now and invites every member of the cluster', async () => {
    const { replies, run } = await sendAs('web:lc1-coordinator', { questionnaire: 'ee2-evaluation', cluster: lc1.id, when: 'now', closes: '2026-12-10', anonymous: 'yes', minGroupSize: '5' });
    runId = run.id;
    expect(textOf(replies)).toContain('Sent Evaluation of exchange event 2 to 8 members of LC1. It closes');
    expect(run).toMatchObject({ status: 'OPEN', anonymous: true, minGroupSize: 5 });
    const invitation = await runtime.webSender.drain('web:lc1-m5');
    expect(textOf(invitation)).toContain('Evaluation of exchange event 2 (LC1) is open for your answers');
    expect(findButton(invitation, 'Answer one by one').value).toBe(runId);
    expect((runtime.services.scheduler as LoggingSchedulerPort).announcements).toContainEqual({ clusterId: lc1.id, reason: 'survey' });
  });

  it('lists the open run for a member with both ways of answering', async () => {
    const replies = await people.m1.say('/lc survey');
    expect(textOf(replies)).toContain('Evaluation of exchange event 2 (LC1), closes');
    expect(textOf(replies)).toContain('Not answered yet.');
    expect(findButton(replies, 'Answer as one form').value).toBe(runId);
  });

  it('saves answers one at a time and as a form, and hides a conditional question until its condition holds', async () => {
    const m1 = await answerOneByOne(people.m1, runId, { feedback_useful: 4, method_suited: 5, next_step: 'consolidate', improve_method: 'More time for feedback' });
    expect(textOf(m1)).toContain('You can change them until');
    await answerAsForm(people.m2, runId, { feedback_useful: '5', method_suited: '4', next_step: 'start', support_needed: [], improve_method: '' });
    // "unsure" reveals the multiple-choice follow-up, answered through its short form.
    await answerOneByOne(people.m3, runId, { feedback_useful: 3, method_suited: 3, next_step: 'unsure', support_needed: ['rp_coaching', 'legal_advice'] });
    await answerAsForm(people.m4, runId, { feedback_useful: '4', method_suited: '2', next_step: 'unsure', support_needed: ['rp_coaching'], improve_method: '' });
    expect(textOf(await people.m1.say('/lc survey'))).toContain('You have answered; you can still change your answers.');
  });

  it('asks in the member\'s language where the file has it, and in English where it does not', async () => {
    await runtime.db.person.updateMany({ where: { identities: { some: { externalId: 'web:lc1-m8' } } }, data: { locale: 'sq' } });
    try {
      // What the Albanian translation says (translators may reword it; the member must see exactly that).
      const albanian = parseYaml(readFileSync(new URL('../../questionnaires/translations/sq/ee2-evaluation.yaml', import.meta.url), 'utf8')) as { questions: Record<string, { text: string; labels: string[] }> };
      const first = await people.m8.press({ actionId: 'survey:begin', value: runId });
      expect(textOf(first)).toContain(albanian.questions.feedback_useful.text);
      expect(findButton(first, `4 · ${albanian.questions.feedback_useful.labels[3]}`).value).toBe(`${runId}|feedback_useful|4`);
      const second = await people.m8.press({ actionId: 'survey:begin', value: runId });
      expect(textOf(second)).toContain('Komentet');
    } finally {
      // Back to English even when an expectation fails, so the later tests read English.
      await runtime.db.person.updateMany({ where: { identities: { some: { externalId: 'web:lc1-m8' } } }, data: { locale: 'en' } });
    }
    // Opening a question saves nothing: m8 has still not answered.
    expect(await runtime.db.runParticipation.count({ where: { runId, answered: true } })).toBe(4);
  });

  it('does not show the questions to someone outside the cluster', async () => {
    const outsider = talkAs(runtime.bot, 'web:lc2-m1');
    expect(textOf(await outsider.press({ actionId: 'survey:begin', value: runId }))).toContain('This questionnaire is for the members of its cluster.');
  });

  it('shows the form again with the problem next to the field and the typed values kept', async () => {
    const form = formOf(await people.m7.press({ actionId: 'survey:form', value: runId }));
    const replies = await people.m7.submit(form, { feedback_useful: '9', method_suited: '', next_step: 'start', improve_method: 'Keep me' });
    const again = formOf(replies);
    expect(again.errors).toMatchObject({ feedback_useful: 'Please pick one of the options.', method_suited: 'Please answer this question.' });
    expect(again.fields.find((f) => f.name === 'improve_method')?.initial).toBe('Keep me');
    expect(await runtime.db.response.count({ where: { runId, answers: { some: {} } } })).toBe(4);
  });

  it('shows no results with four answers in an anonymous run, and refuses the CSV', async () => {
    const replies = await coordinator().say(`/lc results ${runId}`);
    expect(textOf(replies)).toContain('4 of 8 answered (50%)');
    expect(textOf(replies)).toContain('results are shown once at least 5 people have answered');
    expect(textOf(replies)).not.toContain('mean');
    expect(imagesOf(replies)).toHaveLength(0);
    expect(textOf(await coordinator().press({ actionId: 'results:csv', value: runId }))).toContain('Only 4 answers so far');
  });

  it('shows results with five answers', async () => {
    await answerOneByOne(people.m5, runId, { feedback_useful: 2, method_suited: 4, next_step: 'consolidate' });
    const replies = await coordinator().say('/lc results LC1');
    expect(textOf(replies)).toContain('5 of 8 answered (63%)');
    expect(textOf(replies)).toContain('Answers: 5, mean 3.6, median 4');
  });

  it('lets a member change answers until the run closes, dropping answers the change hides', async () => {
    await answerOneByOne(people.m6, runId, { feedback_useful: 5, method_suited: 5, next_step: 'start' });
    // m6 changes their mind on the first question; m3 no longer is unsure, so their follow-up answer goes.
    const change = await people.m6.say('/lc survey');
    await answerOneByOne(people.m6, findButton(change, 'Change my answers').value!, { feedback_useful: 1, method_suited: 5, next_step: 'start' }, 'survey:change');
    await answerAsForm(people.m3, runId, { feedback_useful: '3', method_suited: '3', next_step: 'consolidate', support_needed: ['rp_coaching'], improve_method: '' });
    expect(await runtime.db.response.count({ where: { runId } })).toBe(6);
  });

  it('shows the right counts, means, medians and a phone-sized bar chart per question, the counts of each answer under Details', async () => {
    const short = await coordinator().say(`/lc results ${runId}`);
    // Short: one line per question; every count and chart is one press away.
    expect(textOf(short)).not.toContain('- 1 Strongly disagree: 1');
    expect(imagesOf(short)).toHaveLength(0);
    const replies = await coordinator().press(findButton(short, 'Details'));
    const text = textOf(replies);
    expect(text).toContain('6 of 8 answered (75%)');
    // feedback_useful 4,5,3,4,2,1: mean 19/6 = 3.17, median (3+4)/2 = 3.5.
    expect(text).toContain('Answers: 6, mean 3.2, median 3.5');
    expect(text).toContain('- 1 Strongly disagree: 1\n- 2 Disagree: 1\n- 3 Neither agree nor disagree: 1\n- 4 Agree: 2\n- 5 Strongly agree: 1');
    // method_suited 5,4,3,2,4,5: mean 23/6 = 3.83, median 4.
    expect(text).toContain('Answers: 6, mean 3.8, median 4');
    expect(text).toContain('- Consolidate it with the feedback: 3\n- Start applying it right away: 2\n- Not sure yet: 1');
    expect(text).toContain('- Coaching by a resource person: 1\n- A visit to a peer municipality: 0\n- Legal advice: 0');
    expect(text).toContain('- More time for feedback');

    // Four questions have bars (two scales, a choice, a multiple choice); the comments have none.
    const images = imagesOf(replies);
    expect(images).toHaveLength(4);
    const png = Buffer.from((await download(images[0].url)).body);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(720);
    expect(png.readUInt32BE(20)).toBeLessThanOrEqual(1024);
    expect(images[0].alt).toContain('1 Strongly disagree 1, 2 Disagree 1, 3 Neither agree nor disagree 1, 4 Agree 2, 5 Strongly agree 1');
  });

  it('exports a CSV that matches the answers and names nobody', async () => {
    const reply = await coordinator().press({ actionId: 'results:csv', value: runId });
    const file = await download(linkIn(rawText(reply)));
    const csv = Buffer.from(file.body).toString('utf8').replace(/^\ufeff/, '');
    const [header, ...rows] = parseCsv(csv) as string[][];
    // In the reader's language (English here), each question by its number and text, in the questionnaire's order.
    expect(header).toEqual([
      'Response',
      '1. The feedback I received on my concept was useful.',
      '2. The way the event was run suited our group.',
      '3. What is your next step with your action plan?',
      '4. What support would help you decide?',
      expect.stringMatching(/^5\. /),
    ]);
    const answers = rows.map((r) => r.slice(1).join(' | ')).sort();
    expect(answers).toEqual(
      [
        '4 Agree | 5 Strongly agree | Consolidate it with the feedback |  | More time for feedback',
        '5 Strongly agree | 4 Agree | Start applying it right away |  | ',
        '3 Neither agree nor disagree | 3 Neither agree nor disagree | Consolidate it with the feedback |  | ',
        '4 Agree | 2 Disagree | Not sure yet | Coaching by a resource person | ',
        '2 Disagree | 4 Agree | Consolidate it with the feedback |  | ',
        '1 Strongly disagree | 5 Strongly agree | Start applying it right away |  | ',
      ].sort(),
    );
    for (const name of memberNames) expect(csv).not.toContain(name);
  });

  it('stores anonymous answers with no link to a person, not even by ids, timestamps or row versions', async () => {
    const db = runtime.db;
    const run = await db.questionnaireRun.findUniqueOrThrow({ where: { id: runId } });
    const responses = await db.response.findMany({ where: { runId } });
    expect(responses.every((r) => r.respondentId === null && r.submittedAt === null)).toBe(true);
    expect(responses.every((r) => /^[0-9a-f-]{36}$/.test(r.id))).toBe(true);
    expect(new Set(responses.map((r) => r.updatedAt.getTime()))).toEqual(new Set([run.opensAt.getTime()]));
    expect(new Set(responses.map((r) => r.respondentKey)).size).toBe(6);
    const versions = await db.$queryRaw<{ table: string; xmin: string }[]>`
      SELECT 'response' AS table, xmin::text FROM "Response" WHERE "runId" = ${runId}
      UNION SELECT 'answer', a.xmin::text FROM "Answer" a JOIN "Response" r ON r.id = a."responseId" WHERE r."runId" = ${runId}
      UNION SELECT 'participation', xmin::text FROM "RunParticipation" WHERE "runId" = ${runId}`;
    expect(new Set(versions.map((v) => v.xmin)).size).toBe(1);
    const participations = await db.runParticipation.findMany({ where: { runId } });
    expect(participations.filter((p) => p.answered).length).toBe(6);
    // The conversation state holds where a person is, never what they answered.
    const states = JSON.stringify(await db.flowState.findMany({ where: { flow: 'survey' } }));
    expect(states).not.toContain('More time for feedback');
  });

  it('reminds only those who have not answered, at most twice', async () => {
    for (const key of ['web:lc1-m7', 'web:lc1-m8', 'web:lc1-m1']) await runtime.webSender.drain(key);
    expect(await remindNonRespondents(runtime.services, runId)).toBe(2);
    expect(await remindNonRespondents(runtime.services, runId)).toBe(2);
    expect(await remindNonRespondents(runtime.services, runId)).toBe(0);
    expect(textOf(await runtime.webSender.drain('web:lc1-m7'))).toContain('A friendly reminder');
    expect(await runtime.webSender.drain('web:lc1-m1')).toHaveLength(0);
  });

  it('builds the cluster report with every section, the evaluation chart and no names', async () => {
    const reply = await coordinator().say('/lc report LC1');
    const text = rawText(reply);
    const md = Buffer.from((await download(linkIn(text, 'Markdown'))).body).toString('utf8');
    const html = Buffer.from((await download(linkIn(text, 'printable page'))).body).toString('utf8');
    for (const section of ['Results and main decisions', 'Preliminary conclusions', 'Proposed themes and follow-up', 'Activities to start at home', 'Lessons worth a wider debate', 'How to improve the method']) {
      expect(md).toContain(`## `);
      expect(md).toMatch(new RegExp(`^## \\d\\. ${section}$`, 'm'));
      expect(html).toMatch(new RegExp(`<h2[^>]*>\\d\\. ${section}</h2>`));
    }
    expect(md).toContain('## Participants');
    expect(md).toContain('Members: 8. Municipalities: 8.');
    expect(md).toContain('## Timeline');
    expect(html).toMatch(/<td>Exchange event 2<\/td>/);
    expect(md).toContain('6 of 8 answered (75%)');
    // One chart per question with bars, each with the numbers in its alt text.
    expect(md.match(/!\[[^\]]*Answers: \d+[^\]]*\]\(http[^)]+\.png\)/g)).toHaveLength(4);
    expect(md).toContain('“More time for feedback”');
    expect(html).toContain('@media print');
    expect(html).toMatch(/<img src="http[^"]+\.png"/);
    for (const name of memberNames) {
      expect(md).not.toContain(name);
      expect(html).not.toContain(name);
    }
  });

  it('erases every respondent key when the run closes, and then refuses changes', async () => {
    await closeRun(runtime.db, runId, clock.now());
    const run = await runtime.db.questionnaireRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.answerKeySecret).toBeNull();
    expect(await runtime.db.response.count({ where: { runId, respondentKey: { not: null } } })).toBe(0);
    expect(textOf(await people.m1.press({ actionId: 'survey:change', value: runId }))).toContain('This questionnaire is closed');
    expect(textOf(await coordinator().say(`/lc results ${runId}`))).toContain('6 of 8 answered (75%)');
  });
});

describe('when a run passes its closing time', () => {
  it('closes it on the next look, erasing its anonymous keys, and no longer offers it', async () => {
    const { run } = await sendAs('web:lc1-coordinator', { questionnaire: 'ee1-evaluation', cluster: lc1.id, when: 'now', closes: '2026-11-30', anonymous: 'yes', minGroupSize: '5' });
    await answerOneByOne(people.m4, run.id, { input_useful: 4, template_clear: 4, recommend: 9 });
    expect(await runtime.db.response.count({ where: { runId: run.id, respondentKey: { not: null } } })).toBe(1);
    clock.set(new Date('2026-12-01T00:00:00Z'));
    expect(textOf(await people.m4.say('/lc survey'))).not.toContain('Evaluation of exchange event 1');
    const closed = await runtime.db.questionnaireRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(closed).toMatchObject({ status: 'CLOSED', answerKeySecret: null });
    expect(await runtime.db.response.count({ where: { runId: run.id, respondentKey: { not: null } } })).toBe(0);
    clock.set(TODAY);
  });
});

describe('when many members answer an anonymous run at the same moment', () => {
  it('saves every answer, one writer after the other, with no conflict', async () => {
    const { run } = await sendAs('web:lc1-coordinator', { questionnaire: 'ee1-evaluation', cluster: lc1.id, when: 'now', closes: '', anonymous: 'yes', minGroupSize: '5' });
    const forms = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (i) => formOf(await people[`m${i}`].press({ actionId: 'survey:form', value: run.id }))));
    const replies = await Promise.all(forms.map((form, i) => people[`m${i + 1}`].submit(form, { input_useful: String((i % 5) + 1), template_clear: '5', recommend: String(i), learned_most: '' })));
    for (const reply of replies) expect(textOf(reply)).toContain('Thank you! Your answers are saved.');
    expect(await runtime.db.response.count({ where: { runId: run.id, answers: { some: {} } } })).toBe(8);
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-coordinator').say(`/lc results ${run.id}`))).toContain('Answers: 8, mean 3.5, median 3.5');
  });
});

describe('when a member tries to read results', () => {
  it('refuses, because results are for coordinators, resource persons and observers', async () => {
    expect(textOf(await people.m1.say('/lc results'))).toContain('is for other roles');
  });
});

describe('when a coordinator sends a questionnaire for a later phase', () => {
  it('stores it as scheduled for that phase, tells the scheduler, and opens it once when called', async () => {
    const ee3 = await datedGenericItem(runtime.db, lc1.id, 'EE3');
    const { replies, run } = await sendAs('web:lc1-coordinator', { questionnaire: 'pla-evaluation', cluster: lc1.id, when: ee3.id, closes: '', anonymous: 'no', minGroupSize: '5' });
    expect(textOf(replies)).toContain('will open for LC1 when Exchange event 3 begins');
    expect(run).toMatchObject({ status: 'SCHEDULED', phaseItemId: ee3.id, opensAt: ee3.startsAt });
    expect(run.closesAt.getTime()).toBe(ee3.startsAt.getTime() + 14 * 24 * 3600 * 1000);
    expect(await openRunAndInvite(runtime.services, run.id)).toEqual({ invited: 8, delivered: 8 });
    expect(await openRunAndInvite(runtime.services, run.id)).toEqual({ invited: 0, delivered: 0 });
  });

  it('keeps the form and explains a closing date in the past', async () => {
    const c = talkAs(runtime.bot, 'web:lc1-coordinator');
    const form = formOf(await c.say('/lc survey send'));
    const again = formOf(await c.submit(form, { questionnaire: 'ee1-evaluation', cluster: lc1.id, when: 'now', closes: '2026-01-01', anonymous: 'yes', minGroupSize: '5' }));
    expect(again.errors).toEqual({ closes: 'Please give a date in the future.' });
    expect(again.fields.find((f) => f.name === 'questionnaire')?.initial).toBe('ee1-evaluation');
  });

  it('prefills the form from typed words', async () => {
    const form = formOf(await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc survey send self-assessment lc1'));
    expect(form.fields.find((f) => f.name === 'questionnaire')?.initial).toBe('self-assessment');
    expect(form.fields.find((f) => f.name === 'cluster')?.initial).toBe(lc1.id);
  });

  it('refuses /lc survey send from a member', async () => {
    expect(textOf(await people.m2.say('/lc survey send'))).toContain('You coordinate no cluster');
  });
});

describe('when a named workshop run ranks the needs and is compared across clusters', () => {
  it('shows the Borda order and compares the same questionnaire with another cluster', async () => {
    const { run } = await sendAs('web:lc1-coordinator', { questionnaire: 'workshop-four-questions', cluster: lc1.id, when: 'now', closes: '', anonymous: 'no', minGroupSize: '5' });
    const texts = { working_well: 'Peer visits', not_working: 'Slow procurement', improve: 'Shorter meetings', need: 'A budget line' };
    await answerOneByOne(people.m7, run.id, { ...texts, rank_needs: ['funding', 'training', 'legal', 'political', 'peer_support'] });
    await answerOneByOne(people.m8, run.id, { ...texts, rank_needs: ['training', 'funding', 'legal', 'political', 'peer_support'] });
    await answerOneByOne(people.m5, run.id, { ...texts, rank_needs: ['funding', 'legal', 'training', 'peer_support', 'political'] });
    const short = await talkAs(runtime.bot, 'web:lc1-coordinator').say(`/lc results ${run.id}`);
    expect(textOf(short)).toContain('first: Funding (11 points)');
    const replies = await talkAs(runtime.bot, 'web:lc1-coordinator').press(findButton(short, 'Details'));
    // Borda (5 items: 4..0 points): funding 4+3+4 = 11, training 3+4+2 = 9, legal 2+2+3 = 7, political 1+1+0 = 2, peer_support 0+0+1 = 1.
    expect(textOf(replies)).toContain('1. Funding (11), 2. Training for staff (9), 3. Legal and regulatory support (7), 4. Political backing in the municipality (2), 5. Ongoing peer support (1)');
    const csv = Buffer.from((await download(linkIn(rawText(await talkAs(runtime.bot, 'web:lc1-coordinator').press({ actionId: 'results:csv', value: run.id }))))).body).toString('utf8');
    expect(csv.split('\n')[0]).toContain('Respondent');
    expect(csv).toContain('Funding > Training for staff > Legal and regulatory support');

    const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
    const other = await sendAs('web:lc2-coordinator', { questionnaire: 'ee2-evaluation', cluster: lc2.id, when: 'now', closes: '', anonymous: 'no', minGroupSize: '5' });
    await answerAsForm(talkAs(runtime.bot, 'web:lc2-m1'), other.run.id, { feedback_useful: '5', method_suited: '5', next_step: 'start', improve_method: '' });
    const ee2 = await runtime.db.questionnaireRun.findFirstOrThrow({ where: { clusterId: lc1.id, questionnaire: { key: 'ee2-evaluation' } } });
    const compare = await talkAs(runtime.bot, 'web:lc1-coordinator').press({ actionId: 'results:compare', value: ee2.id });
    expect(textOf(compare)).toContain('LC1: 6 answered\nLC2: 1 answered');
    expect(textOf(compare)).toContain('The feedback I received on my concept was useful.: LC1 3.2, LC2 5');
    expect(imagesOf(compare).length).toBeGreaterThanOrEqual(1);
    expect(imagesOf(compare)[0].alt).toContain('LC1 3.17, LC2 5');
  });
});

describe('when the self-assessment is taken at the start and again at EE3', () => {
  it('shows the change per question, before and after', async () => {
    const first = await sendAs('web:lc1-coordinator', { questionnaire: 'self-assessment', cluster: lc1.id, when: 'now', closes: '', anonymous: 'no', minGroupSize: '5' });
    await answerAsForm(people.m1, first.run.id, { know_approach: '2', confident_plan: '2', network: '1', readiness: '3' });
    await answerAsForm(people.m2, first.run.id, { know_approach: '1', confident_plan: '3', network: '2', readiness: '4' });
    clock.advance(80 * 24 * 3600 * 1000);
    const second = await sendAs('web:lc1-coordinator', { questionnaire: 'self-assessment', cluster: lc1.id, when: 'now', closes: '', anonymous: 'no', minGroupSize: '5' });
    await answerAsForm(people.m1, second.run.id, { know_approach: '4', confident_plan: '4', network: '4', readiness: '7' });
    await answerAsForm(people.m2, second.run.id, { know_approach: '5', confident_plan: '3', network: '3', readiness: '8' });
    const results = await talkAs(runtime.bot, 'web:lc1-coordinator').say(`/lc results ${second.run.id}`);
    const replies = await talkAs(runtime.bot, 'web:lc1-coordinator').press(findButton(results, 'Before and after'));
    const text = textOf(replies);
    expect(text).toContain('How well do you know the approach?: 1.5 → 4.5 (+3)');
    expect(text).toContain('How confident are you to plan its application in your municipality?: 2.5 → 3.5 (+1)');
    expect(text).toContain('(0 = not at all, 10 = fully): 3.5 → 7.5 (+4)');
    expect(imagesOf(replies).length).toBeGreaterThanOrEqual(1);
    expect(imagesOf(replies).map((i) => i.alt).join(' ')).toContain('How well do you know the approach?: Before');
  });
});
