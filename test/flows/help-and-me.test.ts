import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, talkAs, textOf } from '../support/transcript.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
});

describe('when a coordinator asks for help', () => {
  it('offers the five actions that matter most to a coordinator as buttons, and "All commands" for the full list', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const replies = await coordinator.say('/lc help');
    expect(buttonsOf(replies).map((b) => b.label)).toEqual(['Cluster status', 'Members', 'What is waiting for me', 'Timeline', 'Feedback round', 'All commands']);
    expect(textOf(replies)).toContain('/lc me');
    expect(textOf(replies)).not.toContain('For everyone');
    const all = await coordinator.press(findButton(replies, 'All commands'));
    expect(textOf(all)).toContain('For everyone');
    expect(textOf(all)).toContain('/lc me: who you are');
    const status = await coordinator.press(findButton(replies, 'Cluster status'));
    expect(textOf(status)).toContain('LC1');
  });

  it('offers a member their tasks and plan first, and someone in no cluster a way in', async () => {
    const member = await talkAs(runtime.bot, 'web:lc2-m1').say('/lc help');
    expect(buttonsOf(member).map((b) => b.label)).toEqual(['What is waiting for me', 'My action plan', 'Feedback', 'Ask a resource person', 'Questionnaires', 'All commands']);
    const stranger = await talkAs(runtime.bot, 'web:help-stranger').say('/lc help');
    expect(buttonsOf(stranger)[0].label).toBe('Register');
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
