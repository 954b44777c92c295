import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';
import { talkAs, textOf } from '../support/transcript.js';

/**
 * Slack's word on an address is users.info under the bot token, for a request Slack signed. The bot
 * links by it (an invitation by e-mail, the same person on Teams) only when Slack vouches for the
 * address as that of an active person of the workspace the request came from, with a confirmed address.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';

let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET));
  await seedDemo(runtime.db, new Date());
});

async function invite(email: string): Promise<string> {
  const replies = await talkAs(runtime.bot, 'web:lc1-coordinator').say(`/lc invite LC1 ${email} as observer`);
  expect(textOf(replies)).toContain(`${email}: invited`);
  return (await runtime.db.person.findUniqueOrThrow({ where: { email } })).id;
}

/** A user's first signed slash command; resolves once the bot has answered. */
async function firstCommand(userId: string): Promise<string> {
  const res = await slack.command({ team_id: 'T1', channel_id: 'D1', user_id: userId, user_name: userId.toLowerCase(), text: 'me', response_url: fake.responseUrl(), trigger_id: `trigger-${userId}` });
  expect(res.status).toBe(200);
  await runtime.slack!.settled();
  const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'SLACK', externalId: `T1:${userId}` } } });
  return identity.personId;
}

describe('when a Slack user of this workspace with a confirmed address first talks to the bot', () => {
  it('links them to the person invited with that address', async () => {
    const invited = await invite('mira.slack@lc1.example.org');
    fake.addUser({ id: 'UMIRA', real_name: 'Mira Slack', email: 'Mira.Slack@lc1.example.org' });
    expect(await firstCommand('UMIRA')).toBe(invited);
    expect(fake.callsOf('users.info').some((c) => c.params.user === 'UMIRA')).toBe(true);
  });
});

describe('when Slack does not vouch for the address', () => {
  const cases: [string, Partial<Parameters<FakeSlack['addUser']>[0]>][] = [
    ['a person of another workspace (Slack Connect)', { team_id: 'T999' }],
    ['an address Slack has not confirmed', { is_email_confirmed: false }],
    ['a bot account', { is_bot: true }],
    ['a deactivated account', { deleted: true }],
  ];
  for (const [what, user] of cases) {
    it(`does not link ${what} to the invited person, and stores no address for them`, async () => {
      const id = `U${what.replace(/\W/g, '').slice(0, 12).toUpperCase()}`;
      const email = `${id.toLowerCase()}@lc1.example.org`;
      const invited = await invite(email);
      fake.addUser({ id, real_name: `Someone ${id}`, email, ...user });
      const personId = await firstCommand(id);
      expect(personId).not.toBe(invited);
      expect((await runtime.db.person.findUniqueOrThrow({ where: { id: personId } })).email).toBeNull();
      expect(await runtime.db.membership.count({ where: { personId: invited, status: 'INVITED' } })).toBe(1);
    });
  }
});
