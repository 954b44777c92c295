import { beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/block-kit.js';
import { fromSlashCommand } from '../../adapters/slack/inbound.js';
import { MAX_COMMAND_LENGTH } from '../../src/core/commands.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { installThroughOAuth, testSlackOAuthRuntime } from '../support/slack-oauth.js';
import { slashCommandFields, type slackClient } from '../support/slack-requests.js';

/**
 * Slash commands over HTTP are acked and parsed in the payload guard, not in Bolt
 * (adapters/slack/slash-command.ts). What Bolt's path guaranteed still holds: signatures and
 * timestamps, the workspace's authorisation, the same answer at the response_url; and a repeated
 * delivery has one effect.
 */

const SECRET = 'signing-secret-for-the-direct-command-tests';

/** A slash command's form fields as Slack posts them. */
function command(fake: FakeSlack, teamId: string, user: string, text: string, extra: Record<string, string> = {}) {
  return slashCommandFields(fake.responseUrl(), user, text, { team_id: teamId, ...extra });
}

const answersAt = (fake: FakeSlack, url: string) => fake.callsOf('response_url').filter((c) => c.params.url === url).map((c) => c.params);

describe('when Slack sends a slash command over HTTP (single workspace)', () => {
  let runtime: Runtime;
  let fake: FakeSlack;
  let slack: ReturnType<typeof slackClient>;
  beforeAll(async () => {
    ({ runtime, fake, slack } = await testSlackRuntime(SECRET));
    fake.addUser({ id: 'UDIRECT', real_name: 'Mira Kovač', locale: 'hr-HR' });
  });

  it('acks with an empty 200 and answers at the response_url with what the bot renders for the command', async () => {
    const request = command(fake, 'T1', 'UDIRECT', 'help');
    const response = await slack.command(request);
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
    await runtime.slack!.settled();
    const [answer, ...more] = answersAt(fake, request.response_url);
    expect(more).toEqual([]);

    // The same answer the bot gives this person for /lc help, rendered as Bolt's path rendered it.
    const expected = await runtime.bot.handle({ identity: { platform: 'SLACK', externalId: 'T1:UDIRECT' }, event: fromSlashCommand('help'), origin: { direct: false } });
    const [part] = renderMessage(expected.messages[0]);
    expect(answer).toMatchObject({ response_type: 'ephemeral', text: part.text, blocks: part.blocks });
    expect(JSON.stringify(answer.blocks)).toContain('Mira Kovač');
  });

  it('refuses a wrong signature with 401 and runs nothing', async () => {
    const request = command(fake, 'T1', 'UFORGED', 'help');
    const response = await slack.command(request, { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    await runtime.slack!.settled();
    expect(answersAt(fake, request.response_url)).toEqual([]);
    expect(await runtime.db.platformIdentity.count({ where: { externalId: 'T1:UFORGED' } })).toBe(0);
  });

  it('refuses a request signed 6 minutes ago with 401 and runs nothing', async () => {
    const request = command(fake, 'T1', 'USTALE', 'help');
    const response = await slack.command(request, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(response.status).toBe(401);
    await runtime.slack!.settled();
    expect(answersAt(fake, request.response_url)).toEqual([]);
    expect(await runtime.db.platformIdentity.count({ where: { externalId: 'T1:USTALE' } })).toBe(0);
  });

  it('refuses a signature made for another timestamp than the one sent, with 401', async () => {
    const request = command(fake, 'T1', 'UREPLAYED', 'help');
    const signedAt = Math.floor(Date.now() / 1000) - 10;
    const response = await slack.command(request, { timestamp: signedAt, headers: { 'x-slack-request-timestamp': String(signedAt + 1) } });
    expect(response.status).toBe(401);
    await runtime.slack!.settled();
    expect(answersAt(fake, request.response_url)).toEqual([]);
  });

  it('answers a command Slack delivers again (X-Slack-Retry-Num, same trigger_id) once', async () => {
    fake.addUser({ id: 'URETRYCMD', real_name: 'Ilir Berisha' });
    const request = command(fake, 'T1', 'URETRYCMD', 'me');
    const first = await slack.command(request);
    const second = await slack.command(request, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, second.status]).toEqual([200, 200]);
    await runtime.slack!.settled();
    expect(answersAt(fake, request.response_url)).toHaveLength(1);
    expect(fake.callsOf('users.info').filter((c) => c.params.user === 'URETRYCMD')).toHaveLength(1);
  });

  it('answers a command whose trigger_id was seen before when Slack does not mark it as a retry', async () => {
    const one = command(fake, 'T1', 'UDIRECT', 'me');
    await slack.command(one);
    await slack.command(one);
    await runtime.slack!.settled();
    expect(answersAt(fake, one.response_url)).toHaveLength(2);
  });

  it('answers two commands of one person, each with its own trigger_id, twice', async () => {
    const one = command(fake, 'T1', 'UDIRECT', 'me');
    const two = command(fake, 'T1', 'UDIRECT', 'me', { response_url: one.response_url });
    await slack.command(one);
    await slack.command(two);
    await runtime.slack!.settled();
    expect(answersAt(fake, one.response_url)).toHaveLength(2);
  });

  it('answers an over-long command with the core\'s sentence, as before, instead of refusing the request', async () => {
    const request = command(fake, 'T1', 'UDIRECT', `me ${'x'.repeat(5_000)}`);
    const response = await slack.command(request);
    expect(response.status).toBe(200);
    await runtime.slack!.settled();
    const [answer] = answersAt(fake, request.response_url);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain(String(MAX_COMMAND_LENGTH));
  });

  it('refuses a signed command whose fields are not single values with 400 and a sentence', async () => {
    const body = `${new URLSearchParams(command(fake, 'T1', 'UTWICE', 'help'))}&user_id=UOTHER`;
    const response = await slack.send(body, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(400);
    expect(response.json().error).toMatch(/Slack/);
    await runtime.slack!.settled();
    expect(await runtime.db.platformIdentity.count({ where: { externalId: { in: ['T1:UTWICE', 'T1:UOTHER'] } } })).toBe(0);
  });
});

describe('when Slack sends a slash command over HTTP (OAuth, several workspaces)', () => {
  let runtime: Runtime;
  let fake: FakeSlack;
  let slack: ReturnType<typeof slackClient>;
  beforeAll(async () => {
    let url: string;
    ({ runtime, fake, slack, url } = await testSlackOAuthRuntime(SECRET));
    for (const teamId of ['TCMDA', 'TCMDB']) expect((await installThroughOAuth(url, fake, { teamId, teamName: teamId })).status).toBe(200);
    for (const [team, user] of [['TCMDA', 'UCMDA'], ['TCMDB', 'UCMDB']]) fake.addUser({ id: user, team_id: team, real_name: user });
  });

  it("works for each person with their own workspace's token", async () => {
    const toA = command(fake, 'TCMDA', 'UCMDA', 'help');
    const toB = command(fake, 'TCMDB', 'UCMDB', 'help');
    expect((await slack.command(toA)).status).toBe(200);
    expect((await slack.command(toB)).status).toBe(200);
    await runtime.slack!.settled();
    expect(answersAt(fake, toA.response_url)).toHaveLength(1);
    expect(answersAt(fake, toB.response_url)).toHaveLength(1);
    // The profile on first contact is read with the person's own workspace's token.
    expect(fake.callsOf('users.info').find((c) => c.params.user === 'UCMDA')?.token).toBe(fake.tokenFor('TCMDA'));
    expect(fake.callsOf('users.info').find((c) => c.params.user === 'UCMDB')?.token).toBe(fake.tokenFor('TCMDB'));
  });

  it('gives a workspace where the bot is not installed the answer Bolt gave (an empty 200), and runs nothing', async () => {
    fake.addUser({ id: 'UNOWHERE', team_id: 'TNOWHERE', real_name: 'Nobody' });
    const request = command(fake, 'TNOWHERE', 'UNOWHERE', 'help');
    const response = await slack.command(request);
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
    await runtime.slack!.settled();
    expect(answersAt(fake, request.response_url)).toEqual([]);
    expect(fake.callsOf('users.info').filter((c) => c.params.user === 'UNOWHERE')).toEqual([]);
    expect(await runtime.db.platformIdentity.count({ where: { externalId: 'TNOWHERE:UNOWHERE' } })).toBe(0);
  });
});
