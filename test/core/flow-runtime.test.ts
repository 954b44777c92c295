import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bot } from '../../src/core/bot.js';
import { createDb } from '../../src/core/db.js';
import { defineFlow, type Flow, type Services } from '../../src/core/flow.js';
import { FlowStore } from '../../src/core/flow-store.js';
import { BotError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { ui } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/** A two-question flow used only to exercise the runtime: name, then town. */
function interviewFlow(version: number, schema: z.ZodType<{ name?: string }> = z.object({ name: z.string().optional() })): Flow<{ name?: string }> {
  return defineFlow<{ name?: string }>({
    name: 'interview',
    version,
    schema,
    commands: [{ verb: 'interview', summaryKey: 'help:summary.me', audience: 'anyone' }],
    async start() {
      return { replies: [ui.text('What is your name?')], next: { step: 'name', data: {} } };
    },
    async handle(_ctx, event, position) {
      if (event.type !== 'text' || !position) return { replies: [ui.text('Type an answer.')] };
      if (position.step === 'name') return { replies: [ui.text(`Thanks ${event.text}. Which town?`)], next: { step: 'town', data: { name: event.text } } };
      return { replies: [ui.text(`${position.data.name} from ${event.text}: saved.`)], next: null };
    },
  });
}

let runtime: Runtime;
const logger = createLogger('silent');
beforeAll(async () => {
  runtime = await testRuntime();
});

/** A bot as a freshly started process would build it: its own database connection, same database. */
function newProcessBot(flow: Flow<any>): { bot: Bot; close: () => Promise<void> } {
  const db = createDb(runtime.config.DATABASE_URL);
  const services: Services = { ...runtime.services, db };
  return { bot: new Bot(services, [flow], logger), close: () => db.$disconnect() };
}

describe('when the bot restarts in the middle of a conversation', () => {
  it('continues where the person left off', async () => {
    const first = newProcessBot(interviewFlow(1));
    expect(textOf(await talkAs(first.bot, 'web:restart-1').say('/lc interview'))).toBe('What is your name?');
    expect(textOf(await talkAs(first.bot, 'web:restart-1').say('Ana'))).toBe('Thanks Ana. Which town?');
    await first.close();

    const second = newProcessBot(interviewFlow(1));
    expect(textOf(await talkAs(second.bot, 'web:restart-1').say('Niš'))).toBe('Ana from Niš: saved.');
    const person = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:restart-1' } } });
    expect(await runtime.db.flowState.count({ where: { personId: person.personId } })).toBe(0);
    await second.close();
  });

  it('continues on another platform when the identities belong to one person', async () => {
    const { bot } = newProcessBot(interviewFlow(1));
    await talkAs(bot, 'web:two-platforms').say('/lc interview');
    const web = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:two-platforms' } } });
    await runtime.db.platformIdentity.create({ data: { personId: web.personId, platform: 'SLACK', externalId: 'T1:U-two-platforms' } });
    expect(textOf(await talkAs(bot, 'T1:U-two-platforms', { platform: 'SLACK' }).say('Mira'))).toBe('Thanks Mira. Which town?');
  });
});

describe('when saved state is from an older flow version', () => {
  it('detects the stale version, says so, and clears the state', async () => {
    const v1 = newProcessBot(interviewFlow(1));
    await talkAs(v1.bot, 'web:stale-1').say('/lc interview');
    const v2 = newProcessBot(interviewFlow(2));
    const reply = textOf(await talkAs(v2.bot, 'web:stale-1').say('Ana'));
    expect(reply).toContain('earlier version of the bot');
    const person = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:stale-1' } } });
    expect(await runtime.db.flowState.count({ where: { personId: person.personId } })).toBe(0);
  });

  it('treats data that no longer matches the schema as stale too', async () => {
    const v1 = newProcessBot(interviewFlow(1));
    await talkAs(v1.bot, 'web:stale-2').say('/lc interview');
    await talkAs(v1.bot, 'web:stale-2').say('Ana');
    const strict = newProcessBot(interviewFlow(1, z.object({ name: z.number() }) as unknown as z.ZodType<{ name?: string }>));
    expect(textOf(await talkAs(strict.bot, 'web:stale-2').say('Skopje'))).toContain('earlier version of the bot');
  });
});

describe('when two instances save the same conversation at once', () => {
  it('keeps the first save and refuses the second with a conflict', async () => {
    const flow = interviewFlow(1);
    const { bot } = newProcessBot(flow);
    await talkAs(bot, 'web:race').say('/lc interview');
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:race' } } });
    const store = new FlowStore(runtime.db);
    const loaded = await store.load(identity.personId, flow, new Date());
    await store.save(identity.personId, flow, { step: 'town', data: { name: 'first' } }, loaded!.revision, new Date());
    await expect(store.save(identity.personId, flow, { step: 'town', data: { name: 'second' } }, loaded!.revision, new Date())).rejects.toBeInstanceOf(BotError);
    expect((await store.load(identity.personId, flow, new Date()))!.data).toEqual({ name: 'first' });
  });
});

describe('when a message is absurdly long', () => {
  it('refuses it with the limit and saves nothing', async () => {
    const { bot } = newProcessBot(interviewFlow(1));
    const reply = textOf(await talkAs(bot, 'web:long').say(`/lc interview ${'x'.repeat(5000)}`));
    expect(reply).toContain('at most 4000 characters');
    expect(await runtime.db.platformIdentity.count({ where: { externalId: 'web:long' } })).toBe(0);
  });
});
