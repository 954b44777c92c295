import { beforeAll, describe, expect, it } from 'vitest';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { FormStash } from '../../adapters/slack/form-stash.js';
import { channelSlotKey } from '../../adapters/slack/channel-rate-limit.js';
import { dmCacheKey } from '../../adapters/slack/sender.js';
import { ConversationRateLimiter } from '../../adapters/teams/outbound-limits.js';
import { createRedis } from '../../src/core/redis.js';
import { PersonalCache } from '../../src/server/personal-cache.js';
import { testRuntime } from '../support/harness.js';
import { findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * `/lc forget-me` checked against the database and Redis themselves: after it, no text-like column of
 * any table (found through information_schema, so a table added later is searched too) and no Redis key
 * or value under the deployment's prefix (every type, so a key added later is searched too) holds the
 * person's name, email, platform ids, or what they wrote about themselves and their municipality.
 */
const NAME = 'Fatmir Hoxha';
const EMAIL = 'fatmir.hoxha@prishtina.example';
const SLACK_ID = 'T1:UFATMIR42';
const TEAMS_ID = 'tenant-9:aad-fatmir-42';
/** Their Slack DM channel and Teams ids, as the platforms gave them. */
const DM = 'D0FATMIR42';
const TEAMS_USER = '29:fatmir-teams-user';
const TEAMS_CONVERSATION = 'a:fatmir-personal-chat';
/** Words only this person wrote, one per feature, so a leftover is found wherever it went. */
const WROTE = {
  caseDescription: 'Fatmir-case: the Roma families of Fushë Kosova cannot reach the social office',
  goal: 'Fatmir-goal: every family in Fushë Kosova knows its social worker',
  activity: 'Fatmir-activity: meet Ms Berisha at school nr 7',
  question: 'Fatmir-question: how did Gjilan fund its mobile social worker?',
  reply: 'Fatmir-reply: thanks, I will call Ms Berisha tomorrow',
  version: 'Fatmir-version: draft with the phone numbers of the families',
  asked: 'Fatmir-asked: may the day-care centre open before its licence arrives?',
  stashed: 'Fatmir-stashed: the form I had not sent yet',
};
/** Redis keys of someone else, written the same way: they must survive. */
const OTHER_SLACK_ID = 'T1:UOTHER77';

let runtime: Runtime;
let personId: string;
let resourcePerson: ReturnType<typeof talkAs>;

beforeAll(async () => {
  runtime = await testRuntime({ env: { LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' } });
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  const db = runtime.db;
  const identity = await db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m1' } });
  personId = identity.personId;
  const membership = await db.membership.findFirstOrThrow({ where: { personId } });
  const clusterId = membership.clusterId;
  const programme = await db.programme.findFirstOrThrow();
  const now = new Date('2026-11-23T09:00:00Z');
  // The person as someone who used every feature, on every platform.
  await db.person.update({ where: { id: personId }, data: { displayName: NAME, email: EMAIL } });
  await db.platformIdentity.createMany({ data: [{ personId, platform: 'SLACK', externalId: SLACK_ID, conversationRef: { channel: DM, user: 'UFATMIR42' } }, { personId, platform: 'TEAMS', externalId: TEAMS_ID, conversationRef: { user: { id: TEAMS_USER, name: NAME, aadObjectId: 'aad-fatmir-42' }, conversation: { id: TEAMS_CONVERSATION } } }] });
  await db.registration.create({ data: { personId, programmeId: programme.id, organisationName: 'Municipality of Fushë Kosova', position: 'Social worker', country: 'XK', languages: ['sq', 'en'], timeZone: 'Europe/Belgrade', caseDescription: WROTE.caseDescription, consentAt: now, assignedReason: `${NAME} asked for LC1`, assignedClusterId: clusterId } });
  const plan = await db.actionPlan.create({ data: { clusterId, authorId: personId, approach: 'Outreach', goal: WROTE.goal, change: 'Families know where to go', targetGroup: 'Roma families', beneficiaries: '40 families', stage: 'SUBMITTED', activities: { create: { position: 1, activity: WROTE.activity } } } });
  await db.actionPlanVersion.create({ data: { planId: plan.id, number: 1, stage: 'SUBMITTED', content: { goal: WROTE.goal, note: WROTE.version, by: NAME } } });
  // Feedback on their plan by another member, and their reply to it.
  const reviewer = await db.membership.findFirstOrThrow({ where: { clusterId, personId: { not: personId }, role: 'MEMBER' } });
  const round = await db.feedbackRound.create({ data: { clusterId, deadline: now, seed: 1, status: 'OPEN' } });
  const assignment = await db.feedbackAssignment.create({ data: { roundId: round.id, planId: plan.id, reviewerId: reviewer.personId, status: 'SUBMITTED' } });
  const feedback = await db.feedback.create({ data: { assignmentId: assignment.id, content: { strengths: 'Clear goal' }, rating: 4, submittedAt: now } });
  await db.feedbackReply.create({ data: { feedbackId: feedback.id, fromAuthor: true, text: WROTE.reply } });
  // Feedback they gave on someone else's plan.
  const otherPlan = await db.actionPlan.create({ data: { clusterId, authorId: reviewer.personId, approach: 'Training', goal: 'Train the staff', stage: 'SUBMITTED' } });
  const given = await db.feedbackAssignment.create({ data: { roundId: round.id, planId: otherPlan.id, reviewerId: personId, status: 'SUBMITTED' } });
  await db.feedback.create({ data: { assignmentId: given.id, content: { strengths: 'Good timeline' }, rating: 5, submittedAt: now } });
  // A survey answer (named run) and a question to the resource persons, through the real commands' data.
  const questionnaire = await db.questionnaire.findFirstOrThrow({ include: { questions: true } });
  const run = await db.questionnaireRun.create({ data: { questionnaireId: questionnaire.id, clusterId, anonymous: false, status: 'OPEN', opensAt: now, closesAt: new Date('2026-12-01T00:00:00Z') } });
  await db.runParticipation.create({ data: { runId: run.id, personId, answered: true } });
  await db.response.create({ data: { runId: run.id, respondentId: personId, submittedAt: now, answers: { create: { questionId: questionnaire.questions[0].id, value: 4 } } } });
  const question = await db.routedQuestion.create({ data: { clusterId, askerId: personId, text: WROTE.question, threadRef: { channel: DM, ts: '1.2' }, faqConsent: false } });
  await db.questionAsk.create({ data: { questionId: question.id, personId: (await db.membership.findFirstOrThrow({ where: { clusterId, role: 'RESOURCE_PERSON' } })).personId } });
  await db.linkCode.create({ data: { code: 'FATMIR42', personId, platform: 'WEB', expiresAt: new Date('2026-11-24T00:00:00Z') } });
  await db.linkFailure.create({ data: { personId } });
  await db.plannedNudge.create({ data: { id: `test:fatmir:${personId}`, clusterId, personId, kind: 'deadline', dueAt: new Date('2026-11-25T09:00:00Z'), payload: { name: NAME } } });
  // Something they started but did not finish.
  await talkAs(runtime.bot, 'web:lc1-m1').say('/lc me');
  // A question through the real flow: the resource person's web chat and `/lc questions` show its words.
  const me = talkAs(runtime.bot, 'web:lc1-m1');
  await me.submit(formOf(await me.say('/lc ask')), { question: WROTE.asked });
  const asked = await db.routedQuestion.findFirstOrThrow({ where: { text: WROTE.asked }, include: { asks: true } });
  const rpIdentity = await db.platformIdentity.findFirstOrThrow({ where: { personId: asked.asks[0]!.personId, platform: 'WEB' } });
  resourcePerson = talkAs(runtime.bot, rpIdentity.externalId);
  // What Redis holds about them, written as the adapters write it: the cached Slack DM channel and its
  // rate slot, a form waiting behind "Open the form" and a modal session (their words, their Slack
  // user), and their Teams chat's rate window. Someone else's keys, written the same way, must stay.
  const prefix = runtime.config.REDIS_PREFIX;
  const stash = new FormStash(runtime.redis, prefix);
  const form = { formId: 'plan:goal', title: 'Goal', submitLabel: 'Save', fields: [{ name: 'goal', label: 'Goal', kind: 'textarea' as const, initial: WROTE.stashed }] };
  await runtime.redis.set(dmCacheKey(prefix, SLACK_ID), DM, 'EX', 3600);
  await runtime.redis.set(channelSlotKey(prefix, 'T1', DM), String(Date.now()), 'EX', 3600);
  await stash.putPendingForm(form, { teamId: 'T1', userId: 'UFATMIR42', channel: DM, direct: true });
  await stash.putSession({ form, target: { teamId: 'T1', userId: 'UFATMIR42', channel: DM, direct: true }, values: { goal: WROTE.stashed } });
  await new ConversationRateLimiter(runtime.redis, prefix).tryAcquire({ conversationId: TEAMS_CONVERSATION, tenantId: 'tenant-9' });
  await runtime.redis.set(dmCacheKey(prefix, OTHER_SLACK_ID), 'D0OTHER77', 'EX', 3600);
  await stash.putPendingForm({ ...form, fields: [{ ...form.fields[0]!, initial: 'Other-stashed' }] }, { teamId: 'T1', userId: 'UOTHER77', channel: 'D0OTHER77', direct: true });
});

/** Every Redis key under the runtime's prefix whose name or value (of any type) contains `needle`. */
async function whereFoundInRedis(needle: string): Promise<string[]> {
  const redis = runtime.redis;
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${runtime.config.REDIS_PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.get(key)
        : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
        : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
        : type === 'set' ? JSON.stringify(await redis.smembers(key))
        : type === 'zset' ? JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
        : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
        : '';
      if (`${key}\n${value}`.toLowerCase().includes(needle.toLowerCase())) found.push(`${key} (${type}): ${String(value).slice(0, 120)}`);
    }
  } while (cursor !== '0');
  return found;
}

/** The person's ids and words as they may sit in Redis. */
const REDIS_NEEDLES = [NAME, EMAIL, SLACK_ID, 'UFATMIR42', DM, TEAMS_ID, 'aad-fatmir-42', TEAMS_USER, TEAMS_CONVERSATION, 'web:lc1-m1', 'Fatmir-'];

/** Every (table, column, value) in the public schema whose text contains `needle` (case-insensitive). */
async function whereFound(needle: string): Promise<string[]> {
  const columns = await runtime.db.$queryRaw<{ table_name: string; column_name: string; data_type: string }[]>`
    SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_prisma_migrations'
      AND (c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'bytea', 'USER-DEFINED'))`;
  const found: string[] = [];
  // One query per table (every searched column at once), so the search stays quick on a busy machine.
  const byTable = new Map<string, { column_name: string; data_type: string }[]>();
  for (const c of columns) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c]);
  for (const [table, cols] of byTable) {
    const names = cols.map((c) => `'${c.column_name}'`).join(', ');
    const values = cols.map((c) => (c.data_type === 'bytea' ? `convert_from(t."${c.column_name}", 'UTF8')` : `t."${c.column_name}"::text`)).join(', ');
    const rows = await runtime.db.$queryRawUnsafe<{ c: string; v: string }[]>(
      `SELECT x.c, x.v FROM "${table}" t CROSS JOIN LATERAL unnest(ARRAY[${names}]::text[], ARRAY[${values}]::text[]) AS x(c, v) WHERE position(lower($1) in lower(x.v)) > 0 LIMIT 9`,
      needle,
    );
    for (const row of rows) found.push(`${table}.${row.c}: ${String(row.v).slice(0, 120)}`);
  }
  return found;
}

describe('when a person who used every feature runs /lc forget-me and confirms', () => {
  it('has first checked that the search finds the person in the tables (so an empty result below means something)', async () => {
    expect((await whereFound(NAME)).length).toBeGreaterThan(0);
    expect(await whereFound(SLACK_ID)).toEqual([expect.stringContaining('PlatformIdentity.externalId')]);
    expect((await whereFound('Fatmir-')).length).toBeGreaterThanOrEqual(Object.keys(WROTE).length - 1);
    // Redis: every planted kind of key is found, so an empty result below means something.
    expect(await whereFoundInRedis(DM)).toEqual(expect.arrayContaining([expect.stringContaining(':slack:dm:'), expect.stringContaining(':slack:slot:'), expect.stringContaining(':slack:form:'), expect.stringContaining(':slack:modal:')]));
    expect(await whereFoundInRedis(TEAMS_CONVERSATION)).toEqual([expect.stringContaining(':teams:rate:')]);
    expect((await whereFoundInRedis('Fatmir-stashed')).length).toBe(2);
    // The resource person was asked: their web chat and their list show the question's words.
    expect(textOf(await resourcePerson.say('/lc questions'))).toContain(WROTE.asked);
    expect(await whereFound(WROTE.asked)).toEqual(expect.arrayContaining([expect.stringContaining('WebChatMessage.body')]));
  });

  it('leaves their name, email, platform ids and self-written texts in no column of any table', async () => {
    const me = talkAs(runtime.bot, 'web:lc1-m1');
    const warning = await me.say('/lc forget-me');
    expect(textOf(await me.press(findButton(warning, 'Erase my data')))).toContain('your personal data is erased');

    for (const needle of [NAME, EMAIL, SLACK_ID, 'UFATMIR42', TEAMS_ID, 'aad-fatmir-42', 'web:lc1-m1', 'FATMIR42', 'Fatmir-']) {
      expect(await whereFound(needle), needle).toEqual([]);
    }
    // Nothing reaches or recognises them any more, and nothing is planned for them.
    expect(await runtime.db.platformIdentity.count({ where: { personId } })).toBe(0);
    expect(await runtime.db.flowState.count({ where: { personId } })).toBe(0);
    expect(await runtime.db.plannedNudge.count({ where: { personId, status: 'PLANNED' } })).toBe(0);
    expect(await runtime.db.linkCode.count({ where: { personId } })).toBe(0);
    // Their survey answer stays for the counts, but nothing links it to them.
    expect(await runtime.db.response.count({ where: { respondentId: personId } })).toBe(0);
  });

  it('leaves nothing about them in Redis: no cached DM channel, rate slot, stashed form or modal, Teams window', async () => {
    for (const needle of REDIS_NEEDLES) expect(await whereFoundInRedis(needle), needle).toEqual([]);
    // Someone else's keys are untouched.
    expect(await runtime.redis.get(dmCacheKey(runtime.config.REDIS_PREFIX, OTHER_SLACK_ID))).toBe('D0OTHER77');
    expect(await whereFoundInRedis('Other-stashed')).toHaveLength(1);
  });

  it('no longer shows their question to the resource person it was put to', async () => {
    const list = textOf(await resourcePerson.say('/lc questions'));
    expect(list).not.toContain(WROTE.asked);
    expect(list).not.toContain(NAME);
    expect(await runtime.db.routedQuestion.count({ where: { askerId: null, status: { in: ['OPEN', 'ESCALATED_TO_COORDINATOR'] } } })).toBe(0);
  });
});

describe('when Redis cannot be reached at the moment someone confirms /lc forget-me', () => {
  it('says to try again in a moment and erases nothing yet (so the retry still finds their Redis keys)', async () => {
    const away = await testRuntime({ env: { LOG_LEVEL: 'silent' } });
    // Forget-me's Redis is a port where nothing listens: every command fails.
    const unreachable = createRedis('redis://127.0.0.1:9/0');
    unreachable.on('error', () => undefined);
    away.services.personalCache = new PersonalCache(unreachable, away.config.REDIS_PREFIX);
    await seedDemo(away.db, new Date('2026-11-23T09:00:00Z'));
    const me = talkAs(away.bot, 'web:lc1-m2');
    const before = await away.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-m2' } } } });
    const reply = textOf(await me.press(findButton(await me.say('/lc forget-me'), 'Erase my data')));
    expect(reply).toContain('please try again in a moment');
    const after = await away.db.person.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toEqual(before);
    expect(await away.db.platformIdentity.count({ where: { personId: before.id } })).toBe(1);
    unreachable.disconnect();
  });
});
