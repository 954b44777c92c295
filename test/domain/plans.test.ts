import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentTranslator, translator } from '../../src/core/i18n.js';
import { BotError } from '../../src/core/errors.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import {
  addActivity,
  consolidatePlan,
  contentOf,
  CSV_COLUMNS,
  diffPlans,
  listVersions,
  loadPlan,
  moveActivity,
  openPlan,
  planAccess,
  plansToCsv,
  plansToHtml,
  plansToMarkdown,
  readableClusterPlans,
  readablePlan,
  removeActivity,
  submitPlan,
  updatePlanFields,
} from '../../src/domain/plans/index.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { clusterByCode, downloadIdOf, personOf } from '../support/plans.js';
import { findButton, talkAs, textOf } from '../support/transcript.js';

let runtime: Runtime;
let planId: string;
let draftPlanId: string;
const t = translator('en');

beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  const lc1 = await clusterByCode(runtime.db, 'LC1');
  const author = await personOf(runtime.db, 'web:lc1-m4');
  const plan = await openPlan(runtime.db, author.id, lc1.id);
  planId = plan.id;
  await updatePlanFields(runtime.db, planId, { goal: 'Care <b>for all</b>', change: 'More places', targetGroup: 'Children <b>under 14</b>, "youth" | teens', beneficiaries: 'Families' });
  const full = { responsible: 'Social services', resources: 'Budget', results: 'Premises ready', challenges: 'Ownership unclear,\nsecond line', mitigation: 'Cadastre check' };
  await addActivity(runtime.db, planId, { activity: 'Find premises', deadline: '2027-01-31', ...full });
  await addActivity(runtime.db, planId, { activity: 'Train staff', deadline: '2027-02-28', ...full });
  await addActivity(runtime.db, planId, { activity: 'Open doors', deadline: '2027-03-31', ...full });
  // Another member only drafts.
  const drafter = await personOf(runtime.db, 'web:lc1-m6');
  draftPlanId = (await openPlan(runtime.db, drafter.id, lc1.id)).id;
  await updatePlanFields(runtime.db, draftPlanId, { goal: 'Secret draft goal' });
});

describe('when a plan is submitted and then changed', () => {
  it('keeps the submitted version exactly as it was, and the database refuses to update it', async () => {
    const v1 = await submitPlan(runtime.db, planId);
    expect(v1).toMatchObject({ number: 1, stage: 'SUBMITTED' });
    expect(v1.content).toEqual(contentOf(await loadPlan(runtime.db, planId)));
    const frozen = await runtime.db.actionPlanVersion.findUniqueOrThrow({ where: { id: v1.id } });

    const plan = await loadPlan(runtime.db, planId);
    await updatePlanFields(runtime.db, planId, { goal: 'Daytime care for 20 children' });
    await removeActivity(runtime.db, plan.activities[1].id);
    await addActivity(runtime.db, planId, { activity: 'Evaluate with parents', responsible: 'Centre manager', deadline: '2027-05-31', resources: 'Questionnaire', results: 'Report' });
    await moveActivity(runtime.db, plan.activities[2].id, 'up');

    expect(await runtime.db.actionPlanVersion.findUniqueOrThrow({ where: { id: v1.id } })).toEqual(frozen);
    await expect(runtime.db.actionPlanVersion.update({ where: { id: v1.id }, data: { content: {} } })).rejects.toThrow();
    // Plain SQL, as any other client would send it, is refused by the database rule too.
    await expect(runtime.db.$executeRaw`UPDATE "ActionPlanVersion" SET content = '{}'::jsonb WHERE id = ${v1.id}`).rejects.toThrow(/immutable/);
    await expect(runtime.db.$executeRaw`UPDATE "ActionPlanVersion" SET stage = 'DRAFT' WHERE id = ${v1.id}`).rejects.toThrow(/immutable/);
    expect((await runtime.db.actionPlanVersion.findUniqueOrThrow({ where: { id: v1.id } })).content).toEqual(frozen.content);
    // A submitted plan cannot be submitted again: the next step is consolidation.
    await expect(submitPlan(runtime.db, planId)).rejects.toBeInstanceOf(BotError);
  });

  it('consolidates into the next version linked to the feedback round, and the diff names every change', async () => {
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const round = await runtime.db.feedbackRound.create({ data: { clusterId: lc1.id, deadline: new Date('2026-12-10T00:00:00Z'), seed: 1 } });
    const v2 = await consolidatePlan(runtime.db, planId, { feedbackRoundId: round.id });
    expect(v2).toMatchObject({ number: 2, stage: 'CONSOLIDATED', answersRoundId: round.id });
    expect((await loadPlan(runtime.db, planId)).stage).toBe('CONSOLIDATED');

    const [v1] = await listVersions(runtime.db, planId);
    const diff = diffPlans(v1.content, v2.content);
    expect(diff.fields).toEqual([{ field: 'goal', before: 'Care <b>for all</b>', after: 'Daytime care for 20 children' }]);
    expect(diff.removed.map((a) => a.activity)).toEqual(['Train staff']);
    expect(diff.added.map((a) => a.activity)).toEqual(['Evaluate with parents']);
    expect(diff.changed).toEqual([]);
    expect(diff.moved.map((m) => [m.activity.activity, m.from, m.to])).toEqual([
      ['Open doors', 3, 1],
      ['Find premises', 1, 2],
    ]);
  });

  it('shows the author the changes between versions in the chat', async () => {
    const author = talkAs(runtime.bot, 'web:lc1-m4');
    let replies = await author.press({ actionId: 'plan:versions', value: planId });
    expect(textOf(replies)).toContain('Version 1 · Submitted');
    expect(textOf(replies)).toContain('Version 2 · Consolidated');
    replies = await author.press(findButton(replies, 'Changes from version 1'));
    const text = textOf(replies);
    expect(text).toContain('Changes from version 1 to version 2');
    expect(text).toContain('Before: Care <b>for all</b>');
    expect(text).toContain('Now: Daytime care for 20 children');
    expect(text).toContain('Removed activity: Train staff');
    expect(text).toContain('Added activity 3: Evaluate with parents');
  });
});

describe('when someone asks to read a plan', () => {
  it('gives the author and the cluster staff everything, same-cluster members only submitted versions, and nobody else anything', async () => {
    const access = async (webId: string, id = planId) => {
      const person = await personOf(runtime.db, webId);
      const plan = await runtime.db.actionPlan.findUniqueOrThrow({ where: { id } });
      return planAccess(runtime.db, person.id, plan);
    };
    expect(await access('web:lc1-m4')).toBe('author');
    expect(await access('web:lc1-coordinator')).toBe('staff');
    expect(await access('web:lc1-rp1')).toBe('staff');
    expect(await access('web:lc1-m5')).toBe('peer');
    expect(await access('web:lc2-m1')).toBeNull();
    expect(await access('web:lc2-coordinator')).toBeNull();

    const peer = await personOf(runtime.db, 'web:lc1-m5');
    const seen = await readablePlan(runtime.db, peer.id, planId);
    // A peer reads the newest frozen version, not the author's unfinished edits.
    expect(seen.versionNumber).toBe(2);
    await updatePlanFields(runtime.db, planId, { change: 'Work in progress after EE2' });
    expect((await readablePlan(runtime.db, peer.id, planId)).content.change).toBe('More places');
    await expect(readablePlan(runtime.db, peer.id, draftPlanId)).rejects.toMatchObject({ messageKey: 'plan:errors.notSubmittedYet' });

    const rp = await personOf(runtime.db, 'web:lc1-rp2');
    expect((await readablePlan(runtime.db, rp.id, draftPlanId)).content.goal).toBe('Secret draft goal');
    expect((await readablePlan(runtime.db, rp.id, planId)).content.change).toBe('Work in progress after EE2');

    const outsider = await personOf(runtime.db, 'web:lc3-coordinator');
    await expect(readablePlan(runtime.db, outsider.id, planId)).rejects.toMatchObject({ messageKey: 'plan:errors.notYourCluster' });
  });

  it('lists plans for a coordinator with every member and stage, and for a member only the submitted ones', async () => {
    let text = textOf(await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc plans'));
    expect(text).toContain('Action plans of LC1');
    expect(text).toMatch(/Not started 6 · Draft 1 · Submitted 0 · Consolidated 1 · In application 0/);
    const author = await personOf(runtime.db, 'web:lc1-m4');
    expect(text).toContain(`${author.displayName} (Peja): Consolidated, 3 activities`);

    text = textOf(await talkAs(runtime.bot, 'web:lc1-m7').say('/lc plans'));
    expect(text).toContain(author.displayName);
    const drafter = await personOf(runtime.db, 'web:lc1-m6');
    expect(text).not.toContain(drafter.displayName);

    text = textOf(await talkAs(runtime.bot, 'web:lc2-coordinator').say('/lc plans LC1'));
    expect(text).toContain("I don't know a cluster LC1 of yours");
  });
});

describe('when plans are exported', () => {
  it('writes CSV rows that match the stored plan, one per activity, under English headers for an English reader', async () => {
    const rp = await personOf(runtime.db, 'web:lc1-rp1');
    const doc = await readablePlan(runtime.db, rp.id, planId);
    const csv = plansToCsv([doc], documentTranslator('en'));
    // A byte-order mark, so a spreadsheet opens the file as UTF-8 (Cyrillic, ë, ć).
    expect(csv.startsWith('\ufeff')).toBe(true);
    const [header, ...cells] = parse(csv, { bom: true }) as string[][];
    expect(header).toEqual([
      'Cluster', 'Author', 'Organisation', 'Stage', 'Version', 'Approach', 'Goal', 'What should change', 'Who is targeted', 'Beneficiaries',
      'Activity no.', 'Activity', 'Responsible', 'Deadline', 'Challenges', 'Mitigation', 'Resources', 'Results', 'Progress', 'Progress note',
    ]);
    const rows = cells.map((row) => Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, row[i]])));
    const stored = await loadPlan(runtime.db, planId);
    expect(rows).toHaveLength(stored.activities.length);
    rows.forEach((row, i) => {
      const a = stored.activities[i];
      expect(row).toMatchObject({
        cluster: 'LC1', stage: 'CONSOLIDATED', version: 'draft', goal: stored.goal!, change: stored.change!, activity_no: String(i + 1),
        activity: a.activity, responsible: a.responsible!, deadline: a.deadline!.toISOString().slice(0, 10), challenges: a.challenges ?? '', results: a.results!, progress: a.progress,
      });
    });
  });

  it('writes the CSV headers in the reader\'s language (sq, sr-Cyrl), the columns in the same order and every cell unchanged', async () => {
    const rp = await personOf(runtime.db, 'web:lc1-rp1');
    const doc = await readablePlan(runtime.db, rp.id, planId);
    const [english, ...englishRows] = parse(plansToCsv([doc], documentTranslator('en')), { bom: true }) as string[][];
    const expected: Record<string, string[]> = {
      sq: ['Klasteri', 'Autori', 'Organizata', 'Faza', 'Versioni'],
      'sr-Cyrl': ['Кластер', 'Аутор', 'Организација', 'Фаза', 'Верзија'],
    };
    for (const [language, firstHeaders] of Object.entries(expected)) {
      const csv = plansToCsv([doc], documentTranslator(language));
      expect(csv.startsWith('\ufeff')).toBe(true);
      const [header, ...rows] = parse(csv, { bom: true }) as string[][];
      expect(header.slice(0, 5)).toEqual(firstHeaders);
      expect(header).toHaveLength(english.length);
      // Every header is translated: none is the English one (nor a catalogue key).
      header.forEach((h, i) => {
        expect(h).not.toBe(english[i]);
        expect(h).not.toMatch(/^plan:|[a-z]_[a-z]/);
      });
      expect(header[CSV_COLUMNS.indexOf('activity')]).toBe(documentTranslator(language)('plan:fields.activity.label'));
      // The ids, numbers, dates and what people typed are the same cells as in the English file.
      expect(rows).toEqual(englishRows);
    }
  });

  it('prints an HTML page laid out like the template, with every value escaped', async () => {
    const rp = await personOf(runtime.db, 'web:lc1-rp1');
    const doc = await readablePlan(runtime.db, rp.id, planId);
    const html = plansToHtml([doc], t);
    expect(html).toContain('<td class="label">Approach</td><td colspan="6">Day-care Centers</td>');
    expect(html).toContain('Children &lt;b&gt;under 14&lt;/b&gt;, &quot;youth&quot; | teens');
    expect(html).not.toContain('<b>under 14</b>');
    const headers = [...html.matchAll(/<th>([^<¹]+)/g)].map((m) => m[1]);
    expect(headers).toEqual(['Activity', 'Responsible', 'Deadline', 'Challenges', 'Mitigation', 'Resources', 'Results']);
    for (const a of doc.content.activities) expect(html).toContain(`<td>${a.activity}</td>`);
    expect(html).toContain('legal aspects');
    // Approach, goal, the header row, then one row per activity.
    expect(html.match(/<tr>/g)).toHaveLength(3 + doc.content.activities.length);
  });

  it('writes Markdown with the table of activities, pipes and line breaks kept inside cells', async () => {
    const rp = await personOf(runtime.db, 'web:lc1-rp1');
    const md = plansToMarkdown([await readablePlan(runtime.db, rp.id, planId)], t);
    expect(md).toContain('| # | Activity | Responsible | Deadline | Challenges | Mitigation | Resources | Results |');
    expect(md).toContain('| 2 | Find premises | Social services | 2027-01-31 | Ownership unclear,<br>second line | Cadastre check | Budget | Premises ready |');
    expect(md).toContain('Children \\<b\\>under 14\\</b\\>, "youth" \\| teens');
  });

  it('exports a whole cluster: the coordinator gets every plan, a member only the submitted ones', async () => {
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const replies = await coordinator.press({ actionId: 'plan:exportCluster', value: `${lc1.id}:csv` });
    const file = await runtime.db.download.findUniqueOrThrow({ where: { id: downloadIdOf(textOf(replies)) } });
    expect(file.filename).toBe('action-plans-LC1.csv');
    const rows = parse(Buffer.from(file.body).toString('utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(new Set(rows.map((r) => r.Goal))).toEqual(new Set(['Daytime care for 20 children', 'Secret draft goal']));

    const member = await personOf(runtime.db, 'web:lc1-m7');
    const docs = await readableClusterPlans(runtime.db, member.id, lc1.id);
    expect(docs.map((d) => d.planId)).toEqual([planId]);
    const outsider = await talkAs(runtime.bot, 'web:lc2-m2').press({ actionId: 'plan:exportCluster', value: `${lc1.id}:md` });
    expect(textOf(outsider)).toContain('only read action plans of your own cluster');
  });
});

describe('when two instances change the same plan at once', () => {
  it('gives concurrent new activities distinct positions and freezes a concurrent double submit only once', async () => {
    const lc2 = await clusterByCode(runtime.db, 'LC2');
    const author = await personOf(runtime.db, 'web:lc2-m3');
    const [a, b] = await Promise.all([openPlan(runtime.db, author.id, lc2.id), openPlan(runtime.db, author.id, lc2.id)]);
    expect(a.id).toBe(b.id);
    await updatePlanFields(runtime.db, a.id, { goal: 'g', change: 'c', targetGroup: 't', beneficiaries: 'b' });
    const full = { responsible: 'r', deadline: '2027-01-01', resources: 'x', results: 'y' };
    await Promise.all(Array.from({ length: 6 }, (_, i) => addActivity(runtime.db, a.id, { activity: `Step ${i}`, ...full })));
    const positions = (await loadPlan(runtime.db, a.id)).activities.map((x) => x.position);
    expect(positions).toEqual([0, 1, 2, 3, 4, 5]);

    const results = await Promise.allSettled([submitPlan(runtime.db, a.id), submitPlan(runtime.db, a.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await runtime.db.actionPlanVersion.count({ where: { planId: a.id } })).toBe(1);
  });
});

describe('when a feedback round or a whole cluster is deleted', () => {
  it('unlinks or removes the versions with it instead of being blocked by their immutability', async () => {
    const lc3 = await clusterByCode(runtime.db, 'LC3');
    const author = await personOf(runtime.db, 'web:lc3-m1');
    const plan = await openPlan(runtime.db, author.id, lc3.id);
    await updatePlanFields(runtime.db, plan.id, { goal: 'g', change: 'c', targetGroup: 't', beneficiaries: 'b' });
    await addActivity(runtime.db, plan.id, { activity: 'a', responsible: 'r', deadline: '2027-01-01', resources: 'x', results: 'y' });
    await submitPlan(runtime.db, plan.id);
    const round = await runtime.db.feedbackRound.create({ data: { clusterId: lc3.id, deadline: new Date('2026-12-10T00:00:00Z'), seed: 3 } });
    const v2 = await consolidatePlan(runtime.db, plan.id, { feedbackRoundId: round.id });
    const before = await runtime.db.actionPlanVersion.findUniqueOrThrow({ where: { id: v2.id } });

    await runtime.db.feedbackRound.delete({ where: { id: round.id } });
    const after = await runtime.db.actionPlanVersion.findUniqueOrThrow({ where: { id: v2.id } });
    expect(after.answersRoundId).toBeNull();
    expect(after.content).toEqual(before.content);

    await runtime.db.cluster.delete({ where: { id: lc3.id } });
    expect(await runtime.db.actionPlanVersion.count({ where: { planId: plan.id } })).toBe(0);
  });
});
