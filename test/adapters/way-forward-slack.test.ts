import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { buttonPress, slackClient } from '../support/slack-requests.js';
import { datedGenericItem } from '../support/timeline.js';
import { formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * The way forward's question reaches a member on Slack (issue 19, item 4): after the coordinator records
 * "continue" in the web chat, the member gets Yes / No in their Slack DM through the real adapter and the
 * fake Slack Web API; pressing Yes makes them a member of the follow-on cluster, the message is replaced by
 * the answer, and a second press acts no more.
 */

const SECRET = 'test-signing-secret-way-forward-0123';
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;
let slackPersonId: string;
let lc2: { id: string };

const textOfCall = (params: Record<string, any>) => JSON.stringify(params.blocks ?? []) + (params.text ?? '');
const slackButtons = (params: Record<string, any>) => (params.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : []));

function blockAction(user: string, button: any, container: Record<string, unknown>) {
  return slack.interaction(buttonPress(user, button, container, fake.responseUrl()));
}

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET, { clock, env: { WEB_CHAT: 'on' } }));
  await seedDemo(runtime.db, clock.now());
  lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
  // A practitioner who uses the bot in Slack, a member of LC2 beside one web-chat member (the others left).
  fake.addUser({ id: 'UMIRA', real_name: 'Mira Stanković' });
  await slack.command({ team_id: 'T1', channel_id: 'DUMIRA', user_id: 'UMIRA', text: 'me', response_url: fake.responseUrl(), trigger_id: 'trigger-me' });
  await runtime.slack!.settled();
  slackPersonId = (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'SLACK', externalId: 'T1:UMIRA' } } })).personId;
  const webMember = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc2-m1' } });
  await runtime.db.membership.updateMany({ where: { clusterId: lc2.id, role: 'MEMBER', personId: { not: webMember.personId } }, data: { status: 'LEFT' } });
  await runtime.db.membership.create({ data: { personId: slackPersonId, clusterId: lc2.id, role: 'MEMBER', status: 'ACTIVE' } });
  clock.set(new Date((await datedGenericItem(runtime.db, lc2.id, 'EE3')).startsAt.getTime() + 3_600_000));
});

describe('when the coordinator records "continue" and a member answers in Slack', () => {
  it('asks the Slack member in their DM and makes them a member of the follow-on with one press of Yes', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc2-coordinator');
    const form = formOf(await coordinator.say('/lc way-forward LC2'));
    const done = await coordinator.submit(form, { choice: 'CONTINUE', name: '', approach: '', startDate: '2027-05-03', note: '' });
    expect(textOf(done)).toContain('The way forward of LC2 is recorded: continue. LC6 “Awareness Raising” is created');
    expect(textOf(done)).toContain('I asked its 2 members in chat whether they join.');

    const posted = await fake.waitFor('chat.postMessage', (p) => textOfCall(p).includes('Do you join it?'));
    expect(textOfCall(posted.params)).toContain('Continue: the same members and approach, on a new timeline');
    const yes = slackButtons(posted.params).find((e: any) => e.text.text === 'Yes, I join LC6');
    expect(yes).toBeDefined();
    const container = { type: 'message', message_ts: '1700000555.000100', channel_id: posted.params.channel, is_ephemeral: false };

    await blockAction('UMIRA', yes, container);
    await runtime.slack!.settled();
    const update = fake.callsOf('chat.update').find((c) => c.params.ts === '1700000555.000100')!;
    expect(textOfCall(update.params)).toContain('You are now a member of LC6');
    expect(slackButtons(update.params).map((b: any) => b.text.text)).not.toContain('Yes, I join LC6');
    const lc6 = await runtime.db.cluster.findFirstOrThrow({ where: { followsId: lc2.id } });
    expect(await runtime.db.membership.count({ where: { clusterId: lc6.id, personId: slackPersonId, role: 'MEMBER', status: 'ACTIVE' } })).toBe(1);

    // The same button pressed again (a double tap): nothing more is done, and the message says so.
    await blockAction('UMIRA', yes, container);
    await runtime.slack!.settled();
    const updates = fake.callsOf('chat.update').filter((c) => c.params.ts === '1700000555.000100');
    expect(textOfCall(updates.at(-1)!.params)).toContain('Already done');
    expect(await runtime.db.membership.count({ where: { clusterId: lc6.id, role: 'MEMBER' } })).toBe(1);
    expect(await runtime.db.followOnAnswer.findUniqueOrThrow({ where: { clusterId_personId: { clusterId: lc2.id, personId: slackPersonId } } })).toMatchObject({ joins: true });
  });
});
