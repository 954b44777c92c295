import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { findButton, talkAs, textOf } from '../support/transcript.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
});

describe('when a coordinator asks for help', () => {
  it('lists the commands for everyone and offers a button that runs /lc me', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const replies = await coordinator.say('/lc help');
    expect(textOf(replies)).toContain('/lc me');
    expect(textOf(replies)).toContain('For everyone');
    const me = await coordinator.press(findButton(replies, 'My clusters'));
    expect(textOf(me)).toContain('LC1: Day-care Centers');
    expect(textOf(me)).toContain('Your role: coordinator');
  });
});

describe('when a member runs /lc me', () => {
  it('shows their cluster, role, organisation and next dates in their time zone', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc2-m1').say('/lc me');
    const text = textOf(replies);
    expect(text).toContain('LC2: Awareness Raising');
    expect(text).toContain('Organisation: Novi Sad');
    expect(text).toMatch(/Exchange event \d: \w{3} \d{1,2} \w{3} 2026, 10:00/);
  });

  it('tells a person in no cluster how to get into one', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:guest-abc').say('/lc me'));
    expect(text).toContain('not in any learning cluster yet');
  });
});

describe('when a verb is mistyped', () => {
  it('suggests the closest verb with a button', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc1-m1').say('/lc hlep');
    expect(textOf(replies)).toContain('Did you mean /lc help?');
    expect(findButton(replies, '/lc help').value).toBe('help');
  });

  it('answers an unknown verb without a suggestion when nothing is close', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-m1').say('/lc xylophone'));
    expect(text).toContain("I don't know the command xylophone");
    expect(text).not.toContain('Did you mean');
  });
});

describe('when free text arrives with no conversation running', () => {
  it('points to help instead of guessing', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-m1').say('hello there'));
    expect(text).toContain('/lc help');
  });
});
