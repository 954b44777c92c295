import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/core/i18n.js';
import { normaliseLanguage, languageFromInput } from '../../src/core/languages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime } from '../support/harness.js';
import { slackClient, slashCommandFields } from '../support/slack-requests.js';
import { formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * The right language without asking: Slack's users.info locale and Teams' activity locale set a
 * person's language until the person chooses one (`/lc language`, the pickers), and the choice wins
 * over both for good. Through the real adapters, against the local fake Slack and Bot Connector.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';
let runtime: Runtime;
let fake: FakeSlack;
let connector: FakeBotConnector;
let slack: ReturnType<typeof slackClient>;
let botUrl: string;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl } });
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  const port = await runtime.listen(0);
  botUrl = `http://127.0.0.1:${port}`;
  slack = slackClient(`${botUrl}/slack/events`, SECRET);
});
afterAll(async () => {
  await runtime?.slack?.settled();
  await fake?.stop();
  await connector?.stop();
});

function command(user: string, text: string) {
  return slashCommandFields(fake.responseUrl(), user, text, { channel_id: 'D100', channel_name: 'directmessage' });
}

/** Runs a slash command and returns the text of what the bot answered through the response_url. */
async function slash(user: string, text: string): Promise<string> {
  const request = command(user, text);
  expect((await slack.command(request)).status).toBe(200);
  await runtime.slack!.settled();
  return fake.callsOf('response_url').filter((c) => c.params.url === request.response_url).map((c) => JSON.stringify(c.params.blocks ?? []) + (c.params.text ?? '')).join('\n');
}

async function teams(aad: string, locale: string, text: string): Promise<string> {
  const conversation = { id: `a:${aad}` };
  const before = connector.sent(conversation.id).length;
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { text, locale, from: { id: `29:${aad}`, name: 'Elena Teams', aadObjectId: aad }, conversation })) });
  expect(res.status).toBe(200);
  return connector.sent(conversation.id).slice(before).map((r) => cardText(r.body)).join('\n');
}

const localeOf = async (platform: 'SLACK' | 'TEAMS', externalId: string) =>
  (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform, externalId } }, include: { person: true } })).person;

describe('when platforms name a language tag', () => {
  it('reads regions and scripts as the languages the bot speaks, and nothing else', () => {
    expect(['sq-AL', 'sr', 'sr-RS', 'sr-Latn-RS', 'sr_Cyrl_RS', 'bs-BA', 'hr-HR', 'mk-MK', 'en-GB', 'de-DE', '', 'x'].map(normaliseLanguage)).toEqual(['sq', 'sr-Latn', 'sr-Latn', 'sr-Latn', 'sr-Cyrl', 'bs', 'hr', 'mk', 'en', undefined, undefined, undefined]);
  });

  it('reads what people type after /lc language: codes and names in any script, with or without diacritics', () => {
    expect(['sq', 'Shqip', 'SR-CYRL', 'Српски (ћирилица)', 'srpski cirilica', 'Hrvatski', 'makedonski', 'Македонски', 'klingon'].map(languageFromInput)).toEqual(['sq', 'sq', 'sr-Cyrl', 'sr-Cyrl', 'sr-Cyrl', 'hr', 'mk', 'mk', undefined]);
  });
});

describe('when a Slack user whose locale is sq-AL writes for the first time', () => {
  it('takes Albanian from users.info and answers in it', async () => {
    fake.addUser({ id: 'UARTA', real_name: 'Arta Slack', tz: 'Europe/Belgrade', locale: 'sq-AL' });
    const reply = await slash('UARTA', 'help');
    expect((await localeOf('SLACK', 'T1:UARTA')).locale).toBe('sq');
    expect(reply).toContain(translator('sq')('help:title'));
    expect(reply).not.toContain(translator('en')('help:title'));
  });
});

describe('when a Teams user whose locale is mk-MK writes', () => {
  it('takes Macedonian from the activity and answers in it', async () => {
    const reply = await teams('aad-elena', 'mk-MK', 'help');
    expect((await localeOf('TEAMS', 'tenant-1:aad-elena')).locale).toBe('mk');
    expect(reply).toContain(translator('mk')('help:title'));
  });

  it('follows the Teams locale while the person has not chosen a language', async () => {
    await teams('aad-elena', 'sq-AL', 'me');
    expect((await localeOf('TEAMS', 'tenant-1:aad-elena')).locale).toBe('sq');
    await teams('aad-elena', 'mk-MK', 'me');
    expect((await localeOf('TEAMS', 'tenant-1:aad-elena')).locale).toBe('mk');
  });
});

describe('when a person chooses their language', () => {
  it('keeps the choice over the Teams locale, and answers in the chosen language from then on', async () => {
    const chosen = await teams('aad-elena', 'mk-MK', 'lc language sr-Cyrl');
    expect(chosen).toContain(translator('sr-Cyrl')('me:languageSet', { language: 'Српски (ћирилица)' }));
    const person = await localeOf('TEAMS', 'tenant-1:aad-elena');
    expect(person.locale).toBe('sr-Cyrl');
    expect(person.languageChosenAt).not.toBeNull();
    const after = await teams('aad-elena', 'mk-MK', 'help');
    expect((await localeOf('TEAMS', 'tenant-1:aad-elena')).locale).toBe('sr-Cyrl');
    expect(after).toContain(translator('sr-Cyrl')('help:title'));
  });

  it('keeps the choice over a Slack locale too, when the person later writes from Slack', async () => {
    // The same person on Slack: linked by a vouched address, as a workspace would.
    const elena = await localeOf('TEAMS', 'tenant-1:aad-elena');
    await runtime.db.person.update({ where: { id: elena.id }, data: { email: 'elena@example.org' } });
    fake.addUser({ id: 'UELENA', real_name: 'Elena Slack', locale: 'mk-MK', email: 'elena@example.org' });
    await slash('UELENA', 'help');
    const onSlack = await localeOf('SLACK', 'T1:UELENA');
    expect(onSlack.id).toBe(elena.id);
    expect(onSlack.locale).toBe('sr-Cyrl');
  });

  it('shows the current language by its own name and a picker with every language named in itself', async () => {
    const me = talkAs(runtime.bot, 'web:lc3-m2');
    const replies = await me.say('/lc language');
    expect(textOf(replies)).toContain('The bot writes to you in English.');
    const picker = replies.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.type === 'select')!;
    expect(picker.type === 'select' && picker.options.map((o) => o.label)).toEqual(['English', 'Shqip', 'Srpski (latinica)', 'Српски (ћирилица)', 'Bosanski', 'Hrvatski', 'Македонски']);
    const done = await me.choose(picker as never, 'bs');
    expect(textOf(done)).toContain(translator('bs')('me:languageSet', { language: 'Bosanski' }));
    expect(textOf(await me.say('/lc me'))).toContain(`${translator('bs')('me:language')}`);
    expect(textOf(await me.say('/lc me'))).toContain('Bosanski');
  });

  it('refuses a language it does not speak with the list to choose from', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc3-m3').say('/lc language klingon');
    expect(textOf(replies)).toContain('“klingon” is not a language the bot speaks.');
    expect((await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc3-m3' } } } })).languageChosenAt).toBeNull();
  });

  it('lets a coordinator set the cluster language, and nobody else', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc4-coordinator');
    expect(textOf(await coordinator.say('/lc language LC4 mk'))).toContain('Messages to the whole cluster LC4 are now in Македонски.');
    expect((await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC4' } })).language).toBe('mk');
    const member = await talkAs(runtime.bot, 'web:lc4-m1').say('/lc language LC4 sq');
    expect(textOf(member)).not.toContain('are now in');
    expect((await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC4' } })).language).toBe('mk');
  });
});

describe('when a coordinator creates a cluster', () => {
  it("gives it the host country's main language unless the form names one", async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const form = formOf(await coordinator.say('/lc create'));
    expect(form.fields.find((f) => f.name === 'language')?.options?.map((o) => o.value)).toEqual(['en', 'sq', 'sr-Latn', 'sr-Cyrl', 'bs', 'hr', 'mk']);
    await coordinator.submit(form, { code: 'LC8', name: 'Home Care', approach: 'Home Care', hosts: 'ZELS', hostCountry: 'mk', timeZone: 'Europe/Skopje', language: '', capacity: '5' });
    expect((await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC8' } })).language).toBe('mk');
    await coordinator.submit(formOf(await coordinator.say('/lc create')), { code: 'LC9', name: 'Home Care', approach: 'Home Care', hosts: 'ZELS', hostCountry: 'mk', timeZone: 'Europe/Skopje', language: 'sq', capacity: '5' });
    expect((await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC9' } })).language).toBe('sq');
  });
});

describe('when a person opens /lc profile', () => {
  it('finds their language and the picker there', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc1-m4').say('/lc profile');
    expect(textOf(replies)).toContain('The bot writes to you in English.');
    expect(replies.flatMap((m) => m.blocks).some((b) => b.type === 'actions' && b.elements.some((e) => e.type === 'select' && e.actionId === 'language:pick'))).toBe(true);
  });
});
