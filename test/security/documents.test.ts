import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { clusterByCode, downloadIdOf, personOf } from '../support/plans.js';
import { formOf, talkAs } from '../support/transcript.js';
import type { OutboundMessage } from '../../src/core/messages.js';

/**
 * Issue 15 items 5 and 6: whatever people typed (a cluster's name, its approach, a host, a municipality,
 * a plan, an answer, a FAQ question) comes out of every generated document as text: no script, no raw
 * HTML, no formula; and every generated page is served so that no script could run anyway.
 */
const SCRIPT = {
  cluster: '<img src=x onerror=alert(1)>',
  approach: '<script>alert("approach")</script>',
  host: '<script>alert("host")</script> Hosts',
  programme: '<svg onload=alert(2)>',
  municipality: '<iframe src=javascript:alert(3)>',
  goal: '<img src=x onerror=alert("goal")> [Open Slack login](https://evil.example/login)',
  activity: '<script>alert("activity")</script>',
  faq: '<b onmouseover=alert(4)>FAQ</b>',
  answer: '<img src=x onerror=alert("answer")>',
};
const FORMULAS = ['=HYPERLINK("https://evil.example","x")', '+41 22 123', '-2+3', '@SUM(A1:A9)', '\tTAB', '\rCR'];
const EXPECTED_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

let runtime: Runtime;
let baseUrl: string;
let lc1Id: string;

async function fetchDocument(text: string, label?: string) {
  const link = label ? new RegExp(`\\[${label}\\]\\(([^)]+)\\)`).exec(text)![1] : text;
  const res = await fetch(`${baseUrl}/files/${downloadIdOf(link)}/file`);
  expect(res.status).toBe(200);
  return { headers: res.headers, body: (await res.text()).replace(/^\ufeff/, '') };
}

/** The raw markup of the replies (links included), to find download links. */
function rawText(messages: OutboundMessage[]): string {
  return messages.flatMap((m) => m.blocks.map((b) => ('text' in b ? b.text : ''))).join('\n');
}

function expectNoActiveContent(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(img|svg|iframe|b)\b[^>]*\bon\w+=/i);
  expect(html).not.toMatch(/<iframe/i);
  expect(html).not.toMatch(/href="(?!https?:|\/|mailto:)/i);
  expect(html).not.toContain('href="https://evil.example');
}

function expectDocumentHeaders(headers: Headers) {
  expect(headers.get('content-security-policy')).toContain(EXPECTED_CSP);
  expect(headers.get('content-security-policy')).not.toMatch(/script-src/);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

beforeAll(async () => {
  // The real clock: the files are fetched over HTTP, where links expire by the real time.
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date());
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  const lc1 = await clusterByCode(runtime.db, 'LC1');
  lc1Id = lc1.id;
  await runtime.db.cluster.update({ where: { id: lc1.id }, data: { name: SCRIPT.cluster, approach: SCRIPT.approach } });
  await runtime.db.programme.update({ where: { id: lc1.programmeId }, data: { name: SCRIPT.programme } });
  const host = await runtime.db.clusterHost.findFirstOrThrow({ where: { clusterId: lc1.id } });
  await runtime.db.organisation.update({ where: { id: host.organisationId }, data: { name: SCRIPT.host } });
  const m2 = await runtime.db.membership.findFirstOrThrow({ where: { clusterId: lc1.id, person: { identities: { some: { externalId: 'web:lc1-m2' } } } }, include: { organisation: true } });
  await runtime.db.organisation.update({ where: { id: m2.organisationId! }, data: { name: SCRIPT.municipality } });

  // A member's plan, through the plan's own forms: script in the goal, formulas in every other field.
  const author = talkAs(runtime.bot, 'web:lc1-m1');
  const view = await author.say('/lc plan');
  const editGoal = view.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.type === 'button' && /^Edit goal/.test(e.label))!;
  const goalForm = formOf(await author.press(editGoal as never));
  await author.submit(goalForm, { approach: 'Day-care Centers', goal: SCRIPT.goal, change: FORMULAS[0], targetGroup: FORMULAS[1], beneficiaries: FORMULAS[2] });
  const person = await personOf(runtime.db, 'web:lc1-m1');
  const plan = await runtime.db.actionPlan.findUniqueOrThrow({ where: { clusterId_authorId: { clusterId: lc1.id, authorId: person.id } } });
  await runtime.db.activity.create({ data: { planId: plan.id, position: 1, activity: SCRIPT.activity, responsible: FORMULAS[3], challenges: FORMULAS[4], mitigation: FORMULAS[5], results: 'ok' } });
  await runtime.db.routedQuestion.create({ data: { clusterId: lc1.id, askerId: person.id, text: SCRIPT.faq, status: 'ANSWERED', inFaq: true, faqConsent: true, answerText: 'yes' } });

  // An anonymous evaluation with five answers, one of them script and one a formula.
  const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
  await coordinator.submit(formOf(await coordinator.say('/lc survey send')), { questionnaire: 'ee2-evaluation', cluster: lc1.id, when: 'now', closes: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10), anonymous: 'yes', minGroupSize: '5' });
  const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
  const texts = [SCRIPT.answer, FORMULAS[0], 'fine', 'more time', FORMULAS[3]];
  for (let i = 1; i <= 5; i++) {
    const member = talkAs(runtime.bot, `web:lc1-m${i}`);
    const form = formOf(await member.press({ actionId: 'survey:form', value: run.id }));
    await member.submit(form, { feedback_useful: '4', method_suited: '4', next_step: 'start', support_needed: [], improve_method: texts[i - 1] });
  }
  expect(await runtime.db.response.count({ where: { runId: run.id, answers: { some: {} } } })).toBe(5);
});

describe('when the cluster report is generated from fields full of script', () => {
  it('escapes every value in the printable page and the Markdown, and serves both with a script-free CSP and nosniff', async () => {
    const reply = await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc report LC1');
    const text = rawText(reply);
    const html = await fetchDocument(text, 'printable page');
    expectNoActiveContent(html.body);
    expectDocumentHeaders(html.headers);
    expect(html.headers.get('content-type')).toContain('text/html');
    // Each payload is there, as text.
    for (const value of [SCRIPT.cluster, SCRIPT.approach, SCRIPT.programme, SCRIPT.municipality, SCRIPT.answer, SCRIPT.faq]) {
      expect(html.body).toContain(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
    }
    const markdown = await fetchDocument(text, 'Markdown');
    expectDocumentHeaders(markdown.headers);
    expect(markdown.body).not.toMatch(/(?<!\\)<(script|img|svg|iframe|b)\b/i);
    expect(markdown.body).not.toContain('[Open Slack login](');
  });
});

describe('when plans are exported from fields full of script and formulas', () => {
  const exportAs = async (format: string) => fetchDocument(rawText(await talkAs(runtime.bot, 'web:lc1-coordinator').press({ actionId: 'plan:exportCluster', value: `${lc1Id}:${format}` })));

  it('escapes every value in the printable page and serves it with the CSP and nosniff', async () => {
    const html = await exportAs('html');
    expectNoActiveContent(html.body);
    expectDocumentHeaders(html.headers);
    expect(html.body).toContain('&lt;script&gt;alert(&quot;activity&quot;)&lt;/script&gt;');
  });

  it('keeps the Markdown free of raw HTML and links', async () => {
    const md = await exportAs('md');
    expectDocumentHeaders(md.headers);
    expect(md.body).not.toMatch(/(?<!\\)<(script|img)\b/i);
    expect(md.body).not.toContain('[Open Slack login](');
  });

  it('neutralises every cell that a spreadsheet would run as a formula', async () => {
    const csv = await exportAs('csv');
    expectDocumentHeaders(csv.headers);
    const rows = parseCsv(csv.body, { columns: true, relax_column_count: true }) as Record<string, string>[];
    // The coordinator reads English: the columns carry the plan form's labels.
    const mine = rows.find((r) => r.Activity?.includes('activity'))!;
    expect(mine).toMatchObject({ 'What should change': `'${FORMULAS[0]}`, 'Who is targeted': `'${FORMULAS[1]}`, Responsible: `'${FORMULAS[3]}` });
    const cells = rows.flatMap((r) => Object.values(r));
    for (const formula of FORMULAS) {
      expect(cells).toContain(`'${formula}`);
      expect(cells).not.toContain(formula);
    }
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('when the results of the evaluation are exported as CSV', () => {
  it('neutralises answers that start like a formula', async () => {
    const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const csv = await fetchDocument(rawText(await talkAs(runtime.bot, 'web:lc1-coordinator').press({ actionId: 'results:csv', value: run.id })));
    expectDocumentHeaders(csv.headers);
    const cells = (parseCsv(csv.body) as string[][]).flat();
    expect(cells).toContain(`'${FORMULAS[0]}`);
    expect(cells).toContain(`'${FORMULAS[3]}`);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(cells).toContain(SCRIPT.answer);
  });
});

describe('when the bot serves its own pages', () => {
  it('serves the privacy text and the terms of use (the Teams manifest links both) with the same headers', async () => {
    for (const path of ['/privacy', '/terms']) {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status).toBe(200);
      expectDocumentHeaders(res.headers);
      const body = await res.text();
      expect(body).toMatch(/<h1>/);
      expectNoActiveContent(body);
    }
    expect(await (await fetch(`${baseUrl}/terms`)).text()).toContain('Terms of use of Cluster Bot');
  });

  it('answers a missing or expired file with a sentence, not a page', async () => {
    const res = await fetch(`${baseUrl}/files/${'a'.repeat(43)}/x.html`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('expired');
  });
});
