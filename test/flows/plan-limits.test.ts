import { beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/core/messages.js';
import { translator } from '../../src/core/i18n.js';
import { renderMessage as renderForSlack } from '../../adapters/slack/block-kit.js';
import { activityBytes, renderMessage as renderForTeams } from '../../adapters/teams/cards.js';
import { messageProblems } from '../support/block-kit-limits.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { ACTIVITY_FIELD_LIMITS, addActivity, consolidatePlan, openPlan, PLAN_FIELD_LIMITS, submitPlan, updateActivity, updatePlanFields } from '../../src/domain/plans/index.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { clusterByCode, linkIdentity, personOf } from '../support/plans.js';
import { buttonsOf, findButton, talkAs, textOf } from '../support/transcript.js';

/** Slack: 50 blocks per message, 3,000 characters per text block, 150 per header, 25 elements per actions block. */
const SLACK = { blocks: 50, text: 3000, header: 150, elements: 25, buttonLabel: 75 };
/** Teams: an activity with its card must stay under about 28 KB. */
const TEAMS_BYTES = 28_000;

let runtime: Runtime;
let planId: string;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  const lc1 = await clusterByCode(runtime.db, 'LC1');
  const author = await personOf(runtime.db, 'web:lc1-m8');
  planId = (await openPlan(runtime.db, author.id, lc1.id)).id;
  // Every field at its limit, in two-byte letters, so lengths and bytes are both at their worst.
  const fill = (n: number, seed: string) => `${seed} ${'Шж'.repeat(n)}`.slice(0, n);
  await updatePlanFields(runtime.db, planId, Object.fromEntries(Object.entries(PLAN_FIELD_LIMITS).map(([k, max]) => [k, fill(max, k)])));
  for (let i = 1; i <= 30; i++) {
    const values = Object.fromEntries(Object.entries(ACTIVITY_FIELD_LIMITS).filter(([k]) => k !== 'deadline').map(([k, max]) => [k, fill(max, `${k}${i}`)]));
    await addActivity(runtime.db, planId, { ...(values as { activity: string }), deadline: `2027-01-${String(i).padStart(2, '0')}` });
  }
});

function expectWithinLimits(message: OutboundMessage) {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK.blocks);
  for (const block of message.blocks) {
    if (block.type === 'text' || block.type === 'context') expect(block.text.length).toBeLessThanOrEqual(SLACK.text);
    if (block.type === 'heading') expect(block.text.length).toBeLessThanOrEqual(SLACK.header);
    if (block.type === 'actions') {
      expect(block.elements.length).toBeLessThanOrEqual(SLACK.elements);
      for (const e of block.elements) if (e.type === 'button') expect(e.label.length).toBeLessThanOrEqual(SLACK.buttonLabel);
    }
  }
  expect(Buffer.byteLength(JSON.stringify(message), 'utf8')).toBeLessThan(TEAMS_BYTES);
  // And through the real adapters: Block Kit as Slack would receive it, Adaptive Cards as Teams would.
  for (const part of renderForSlack(message)) expect(messageProblems(part as never)).toEqual([]);
  for (const card of renderForTeams(message, translator('en')).cards) expect(activityBytes(card, message.summary)).toBeLessThan(TEAMS_BYTES);
}

/**
 * Walks Next from the first page to the last, checking every page and every activity's own view opened
 * from it, and returns the activity numbers seen in those views.
 */
async function walk(talk: ReturnType<typeof talkAs>, first: OutboundMessage[]) {
  const seen: number[] = [];
  let replies = first;
  for (let guard = 0; guard < 20; guard++) {
    expect(replies).toHaveLength(1);
    expectWithinLimits(replies[0]);
    for (const open of buttonsOf(replies).filter((b) => /^Activity \d+$/.test(b.label))) {
      const view = await talk.press(open);
      expect(view).toHaveLength(1);
      expectWithinLimits(view[0]);
      seen.push(...[...textOf(view).matchAll(/^(\d+)\. activity\d+/gm)].map((m) => Number(m[1])));
    }
    const next = buttonsOf(replies).find((b) => b.label.startsWith('Next'));
    if (!next) break;
    replies = await talk.press(next);
  }
  return seen;
}

describe('when a plan has 30 activities with every field at its limit', () => {
  it('lists 8 activities a page and opens each in full, within Slack limits, with Next and Previous', async () => {
    await linkIdentity(runtime.db, 'web:lc1-m8', 'SLACK', 'T1:U8');
    const slack = talkAs(runtime.bot, 'T1:U8', { platform: 'SLACK' });
    const first = await slack.say('/lc plan');
    expect(textOf(first)).toContain('Activities 1–8 of 30');
    // The goal in full, every field at its limit, in its own view.
    expectWithinLimits((await slack.press({ actionId: 'plan:part', value: `${planId}:goal` }))[0]);
    const seen = await walk(slack, first);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const page2 = await slack.press({ actionId: 'plan:page', value: `${planId}:1` });
    const back = await slack.press(findButton(page2, /Previous/));
    expect(textOf(back)).toContain('Activities 1–8 of 30');
  });

  it('renders within Teams limits too, for the author and for a peer reading the submitted version', async () => {
    await linkIdentity(runtime.db, 'web:lc1-m8', 'TEAMS', 'tenant:aad-m8');
    const teams = talkAs(runtime.bot, 'tenant:aad-m8', { platform: 'TEAMS' });
    expect(await walk(teams, await teams.say('/lc plan'))).toHaveLength(30);

    await submitPlan(runtime.db, planId);
    await linkIdentity(runtime.db, 'web:lc1-m2', 'TEAMS', 'tenant:aad-m2');
    const peer = talkAs(runtime.bot, 'tenant:aad-m2', { platform: 'TEAMS' });
    expect(await walk(peer, await peer.press({ actionId: 'plan:open', value: planId }))).toHaveLength(30);
  });

  it('keeps the diff of two large versions and the list of missing parts within limits', async () => {
    const plan = await runtime.db.activity.findMany({ where: { planId }, orderBy: { position: 'asc' } });
    for (const a of plan) await updateActivity(runtime.db, a.id, { results: `changed ${'Ш'.repeat(900)}`, challenges: `changed ${'ж'.repeat(900)}` });
    await consolidatePlan(runtime.db, planId);
    const author = talkAs(runtime.bot, 'web:lc1-m8');
    const versions = await author.press({ actionId: 'plan:versions', value: planId });
    const diff = await author.press(findButton(versions, 'Changes from version 1'));
    expectWithinLimits(diff[0]);
    expect(textOf(diff)).toContain('more changes than fit here');

    // A second member with 30 empty activities asks to submit: 120 missing parts.
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const other = await personOf(runtime.db, 'web:lc1-m5');
    const otherPlan = await openPlan(runtime.db, other.id, lc1.id);
    for (let i = 1; i <= 30; i++) await addActivity(runtime.db, otherPlan.id, { activity: `Step ${i}` });
    const replies = await talkAs(runtime.bot, 'web:lc1-m5').press({ actionId: 'plan:submit', value: otherPlan.id });
    expectWithinLimits(replies[0]);
    expect(textOf(replies)).toContain('124 parts are missing');
    expect(textOf(replies)).toContain('Activity 30: Results');
  });
});
