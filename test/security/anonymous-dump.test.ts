import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { closeRun, createRun, loadRun, openRun, saveAnswers } from '../../src/domain/questionnaires/runs.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { mulberry32, shuffle } from '../../src/core/shuffle.js';

/**
 * Issue 15, item 7, played as the attacker: someone with a dump of every table (all columns, every row
 * in physical order, PostgreSQL's system columns ctid and xmin included) tries to pair the anonymous
 * responses of a run with the people who answered, by every ordering the dump offers.
 *
 * Members answer many simulated runs in a seeded random order, one by one over time, some of them
 * changing an answer later; half of the runs are closed. For every pairing heuristic (an ordering of the
 * people × an ordering of the responses, matched position by position) the test counts the correctly
 * paired people over all runs. Pairing by chance (a uniformly random bijection) gets on average one
 * person right per run, with variance one (the fixed points of a random permutation), so over R runs the
 * count has mean R and standard deviation √R. Each heuristic must stay within R + 6√R (a chance pairer
 * exceeds that with probability below 10⁻⁶ per heuristic). The same attacker against rows written in
 * submission order (as they were stored before) pairs nearly everyone: the heuristics have the power.
 *
 * The people's orderings include what no dump holds: the true order of first answers and of last
 * changes (as a web server's log would give), so the bound holds even for an attacker who has that too.
 */
const SEED = 0x15_07;
const RUNS = 24;
const TODAY = new Date('2026-11-23T09:00:00Z');
const HOUR = 3_600_000;

let runtime: Runtime;
let clusterId: string;
let coordinatorId: string;
let memberIds: string[];
/** The runs the bot stored (not the control's). */
const botRuns: string[] = [];

/** What the simulation knows and the dump must not reveal: who gave which answer, and when. */
interface Truth {
  runId: string;
  /** Person id → their (feedback_useful, method_suited) first answer, unique in the run. */
  signature: Map<string, string>;
  firstOrder: string[];
  lastOrder: string[];
}

/** A simulated anonymous run: every member answers in a random order; a third change one answer later. */
async function simulateRun(random: () => number, index: number, write: 'bot' | 'naive'): Promise<Truth> {
  const db = runtime.db;
  const opensAt = new Date(TODAY.getTime() + index * 24 * HOUR);
  const created = await createRun(db, { questionnaireKey: 'ee2-evaluation', clusterId, createdById: coordinatorId, when: 'now', closesAt: new Date(opensAt.getTime() + 20 * 24 * HOUR), anonymous: true, minGroupSize: 5 }, opensAt);
  await openRun(db, created.id, opensAt);
  const run = await loadRun(db, created.id);
  const combos = shuffle(
    Array.from({ length: 25 }, (_, i) => [1 + (i % 5), 1 + Math.floor(i / 5)] as const),
    random,
  );
  const order = shuffle(memberIds, random);
  const signature = new Map<string, string>();
  const truth: Truth = { runId: run.id, signature, firstOrder: [...order], lastOrder: [] };
  let at = opensAt.getTime();
  const writes: { personId: string; changes: Record<string, unknown> }[] = [];
  for (const [i, personId] of order.entries()) {
    const [useful, suited] = combos[i]!;
    signature.set(personId, `${useful}/${suited}`);
    writes.push({ personId, changes: { feedback_useful: useful, method_suited: suited } });
  }
  // A third of them come back later and change their free-text answer (the signature stays).
  for (const personId of order) if (random() < 1 / 3) writes.push({ personId, changes: { improve_method: `change ${Math.floor(random() * 1000)}` } });
  for (const { personId, changes } of writes) {
    at += Math.floor(random() * HOUR) + 1;
    if (write === 'bot') await saveAnswers(db, run, personId, changes, new Date(at));
    else await naiveSave(run.id, run.questionIds, personId, changes);
    truth.lastOrder = [...truth.lastOrder.filter((p) => p !== personId), personId];
  }
  if (index % 2 === 0) {
    if (write === 'bot') await closeRun(db, run.id, new Date(at + HOUR));
    else await db.response.updateMany({ where: { runId: run.id }, data: { respondentKey: null } });
  }
  return truth;
}

/** How rows were stored before the fix: each write in place, in submission order (the control). */
async function naiveSave(runId: string, questionIds: Map<string, string>, personId: string, changes: Record<string, unknown>) {
  const db = runtime.db;
  const key = `naive:${personId}`;
  const response = (await db.response.findFirst({ where: { runId, respondentKey: key } })) ?? (await db.response.create({ data: { id: randomUUID(), runId, respondentKey: key } }));
  for (const [question, value] of Object.entries(changes)) {
    const questionId = questionIds.get(question)!;
    await db.answer.upsert({ where: { responseId_questionId: { responseId: response.id, questionId } }, create: { id: randomUUID(), responseId: response.id, questionId, value: value as never }, update: { value: value as never } });
  }
  await db.runParticipation.update({ where: { runId_personId: { runId, personId } }, data: { answered: true } });
}

/** A row of the dump: its physical place, its row version and every column. */
type Row = { ctid: string; xmin: string } & Record<string, unknown>;
interface Dump {
  tables: Map<string, Row[]>;
}

/** Every table of the database, every column, rows in physical order, as `pg_dump` would read them. */
async function dumpEverything(): Promise<Dump> {
  const names = await runtime.db.$queryRaw<{ tablename: string }[]>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`;
  const tables = new Map<string, Row[]>();
  for (const { tablename } of names) {
    // to_jsonb: every column as the dump's text would show it (tsvector included).
    const rows = await runtime.db.$queryRawUnsafe<{ ctid: string; xmin: string; row: Record<string, unknown> }[]>(`SELECT ctid::text AS ctid, xmin::text AS xmin, to_jsonb(t) AS row FROM "${tablename}" t ORDER BY ctid`);
    tables.set(tablename, rows.map((r) => ({ ...r.row, ctid: r.ctid, xmin: r.xmin })));
  }
  return { tables };
}

/** "(page,item)" → a number that sorts like the physical order. */
const physical = (ctid: string) => {
  const [page, item] = ctid.slice(1, -1).split(',').map(Number);
  return page! * 100_000 + item!;
};
const by = <T>(key: (x: T) => number | string) => (a: T, b: T) => {
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

interface DumpedResponse {
  id: string;
  ctid: number;
  xmin: number;
  updatedAt: number;
  answerCtids: number[];
  answerXmins: number[];
  answerIds: string[];
  signature: string;
}

/** The attacker's orderings of the people who answered a run (some from the dump, some from outside it). */
function peopleOrderings(dump: Dump, truth: Truth): Record<string, string[]> {
  const participations = dump.tables.get('RunParticipation')!.filter((p) => p.runId === truth.runId && p.answered);
  const byCtid = [...participations].sort(by((p) => physical(p.ctid))).map((p) => String(p.personId));
  const byXmin = [...participations].sort(by((p) => Number(p.xmin) * 1e6 + physical(p.ctid))).map((p) => String(p.personId));
  return {
    'participations by ctid': byCtid,
    'participations by ctid, reversed': [...byCtid].reverse(),
    'participations by xmin': byXmin,
    'true order of first answers': truth.firstOrder,
    'true order of first answers, reversed': [...truth.firstOrder].reverse(),
    'true order of last changes': truth.lastOrder,
    'true order of last changes, reversed': [...truth.lastOrder].reverse(),
  };
}

/** The attacker's orderings of a run's responses, from the dump only. */
function responseOrderings(dump: Dump, truth: Truth, questionKeys: Map<string, string>): Record<string, string[]> {
  const answers = dump.tables.get('Answer')!;
  const responses: DumpedResponse[] = dump.tables
    .get('Response')!
    .filter((r) => r.runId === truth.runId)
    .map((r) => {
      const mine = answers.filter((a) => a.responseId === r.id);
      const value = (key: string) => mine.find((a) => questionKeys.get(String(a.questionId)) === key)?.value;
      return {
        id: String(r.id),
        ctid: physical(r.ctid),
        xmin: Number(r.xmin),
        updatedAt: new Date(r.updatedAt as string).getTime(),
        answerCtids: mine.map((a) => physical(a.ctid)),
        answerXmins: mine.map((a) => Number(a.xmin)),
        answerIds: mine.map((a) => String(a.id)),
        signature: `${value('feedback_useful')}/${value('method_suited')}`,
      };
    });
  const sig = (list: DumpedResponse[]) => list.map((r) => r.signature);
  const byCtid = [...responses].sort(by((r) => r.ctid));
  return {
    'responses by ctid': sig(byCtid),
    'responses by ctid, reversed': sig([...byCtid].reverse()),
    'responses by id': sig([...responses].sort(by((r) => r.id))),
    'responses by xmin, then ctid': sig([...responses].sort(by((r) => r.xmin * 1e6 + r.ctid))),
    'responses by updatedAt, then ctid': sig([...responses].sort(by((r) => r.updatedAt * 1e6 + r.ctid))),
    'responses by their first answer row': sig([...responses].sort(by((r) => Math.min(...r.answerCtids)))),
    'responses by their last answer row': sig([...responses].sort(by((r) => Math.max(...r.answerCtids)))),
    'responses by the row version of their newest answer': sig([...responses].sort(by((r) => Math.max(...r.answerXmins) * 1e6 + r.ctid))),
    'responses by their smallest answer id': sig([...responses].sort(by((r) => [...r.answerIds].sort()[0]!))),
  };
}

/** For every (people ordering × response ordering): how many people it pairs with their own response, over all runs. */
async function attack(truths: Truth[]): Promise<Map<string, number>> {
  const dump = await dumpEverything();
  const questions = dump.tables.get('Question')!;
  const questionKeys = new Map(questions.map((q) => [String(q.id), String(q.key)]));
  const hits = new Map<string, number>();
  for (const truth of truths) {
    const people = peopleOrderings(dump, truth);
    const responses = responseOrderings(dump, truth, questionKeys);
    for (const [p, personList] of Object.entries(people)) {
      for (const [r, signatures] of Object.entries(responses)) {
        expect(signatures.length).toBe(personList.length);
        const right = personList.filter((personId, i) => truth.signature.get(personId) === signatures[i]).length;
        hits.set(`${p} × ${r}`, (hits.get(`${p} × ${r}`) ?? 0) + right);
      }
    }
  }
  return hits;
}

beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, TODAY);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  clusterId = cluster.id;
  coordinatorId = (await runtime.db.membership.findFirstOrThrow({ where: { clusterId, role: 'COORDINATOR' } })).personId;
  memberIds = (await runtime.db.membership.findMany({ where: { clusterId, role: 'MEMBER', status: 'ACTIVE' }, distinct: ['personId'] })).map((m) => m.personId);
}, 120_000);

describe('when an attacker with a dump of every table tries to pair anonymous responses with their authors', () => {
  it('pairs nearly everyone when rows are stored in submission order (the heuristics work)', async () => {
    const random = mulberry32(SEED ^ 0xc0ffee);
    const truths: Truth[] = [];
    for (let i = 0; i < 6; i++) truths.push(await simulateRun(random, 100 + i, 'naive'));
    const hits = await attack(truths);
    const people = truths.length * memberIds.length;
    expect(hits.get('true order of first answers × responses by ctid')).toBe(people);
    expect(hits.get('participations by xmin × responses by the row version of their newest answer')).toBe(people);
    expect(hits.get('true order of last changes × responses by their last answer row')! / people).toBeGreaterThan(0.7);
    // Clean up so the runs below are attacked on their own.
    await runtime.db.questionnaireRun.deleteMany({ where: { id: { in: truths.map((t) => t.runId) } } });
  }, 120_000);

  it(`pairs no better than chance over ${RUNS} runs, by every ordering the dump offers`, async () => {
    expect(memberIds.length).toBeGreaterThanOrEqual(5);
    const random = mulberry32(SEED);
    const truths: Truth[] = [];
    for (let i = 0; i < RUNS; i++) truths.push(await simulateRun(random, i, 'bot'));
    botRuns.push(...truths.map((t) => t.runId));
    const hits = await attack(truths);
    const bound = RUNS + 6 * Math.sqrt(RUNS);
    const tooGood = [...hits].filter(([, right]) => right > bound).map(([name, right]) => `${name}: ${right} of ${RUNS * memberIds.length}`);
    expect(tooGood, `chance pairs ${RUNS} of ${RUNS * memberIds.length} on average; bound ${bound.toFixed(1)}`).toEqual([]);
    expect(hits.size).toBe(7 * 9);
  }, 300_000);

  it('finds nothing else to sort by: no sequence, no time and one row version per run in the anonymous rows', async () => {
    const sequenced = await runtime.db.$queryRaw<{ table_name: string; column_name: string }[]>`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name IN ('Response', 'Answer', 'RunParticipation')
        AND (column_default LIKE 'nextval%' OR is_identity = 'YES' OR data_type LIKE 'timestamp%' AND column_name <> 'updatedAt' AND column_name <> 'submittedAt')`;
    expect(sequenced).toEqual([]);
    const runs = await runtime.db.questionnaireRun.findMany({ where: { id: { in: botRuns } }, select: { id: true, opensAt: true } });
    expect(runs).toHaveLength(RUNS);
    for (const run of runs) {
      const rows = await runtime.db.$queryRaw<{ xmin: string; updatedAt: Date | null; submittedAt: Date | null }[]>`
        SELECT r.xmin::text AS xmin, r."updatedAt", r."submittedAt" FROM "Response" r WHERE r."runId" = ${run.id}
        UNION ALL SELECT a.xmin::text, NULL, NULL FROM "Answer" a JOIN "Response" r ON r.id = a."responseId" WHERE r."runId" = ${run.id}
        UNION ALL SELECT p.xmin::text, NULL, NULL FROM "RunParticipation" p WHERE p."runId" = ${run.id}`;
      expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
      expect(rows.every((r) => r.submittedAt === null && (r.updatedAt === null || r.updatedAt.getTime() === run.opensAt.getTime()))).toBe(true);
    }
  });
});

describe('when a member answers an anonymous run in the web chat (the real /web/events)', () => {
  it('keeps neither the answer nor the pressed button in their stored conversation or their used buttons', async () => {
    const db = runtime.db;
    const baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
    type Element = { type: string; actionId?: string; value?: string; label?: string; token?: string };
    const post = async (input: Record<string, unknown>) => {
      const res = await fetch(`${baseUrl}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'lc1-m1', input }) });
      return (await res.json()) as { entries: unknown[]; messages: { blocks: { type: string; elements?: Element[] }[] }[] };
    };
    const created = await createRun(db, { questionnaireKey: 'ee2-evaluation', clusterId, createdById: coordinatorId, when: 'now', closesAt: new Date('2026-12-31T00:00:00Z'), anonymous: true, minGroupSize: 5 }, new Date());
    await openRun(db, created.id, new Date());
    const person = await db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m1' } });
    const first = await post({ type: 'action', actionId: 'survey:begin', value: created.id });
    const button = first.messages.flatMap((m) => m.blocks).flatMap((b) => b.elements ?? []).find((e) => e.actionId === 'survey:answer' && e.type === 'button')!;
    expect(button.label).toBeTruthy();
    // No one-time token: a used token is stored with the person and the button's label (the answer).
    expect(button.token).toBeUndefined();
    const second = await post({ type: 'action', actionId: 'survey:answer', value: button.value, label: button.label });
    expect(second.entries).toEqual([]);
    expect(second.messages.length).toBeGreaterThan(0);
    expect((await db.runParticipation.findUniqueOrThrow({ where: { runId_personId: { runId: created.id, personId: person.personId } } })).answered).toBe(true);
    const stored = JSON.stringify([await db.webChatMessage.findMany({ where: { OR: [{ externalId: 'web:lc1-m1' }, { personId: person.personId }] } }), await db.actionUse.findMany({ where: { personId: person.personId } })]);
    expect(stored).not.toContain(button.label!);
    expect(stored).not.toContain(created.id);
  });
});
