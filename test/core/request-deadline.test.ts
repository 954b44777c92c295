import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../../src/core/flow.js';
import { translator } from '../../src/core/i18n.js';
import { ui } from '../../src/core/messages.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/** A promise the test resolves by hand, so work stays "in flight" exactly as long as the test wants. */
function latch() {
  let open: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open };
}

describe('a request that outlives its deadline', () => {
  it('is answered "try again in a moment" in the person\'s language, and work still waiting in line never starts', async () => {
    const hold = latch();
    const started: string[] = [];
    const waitFlow = defineFlow({
      name: 'wait',
      version: 1,
      schema: z.object({}),
      commands: [{ verb: 'wait', summaryKey: 'wait', audience: 'anyone' }],
      async start(ctx) {
        started.push(ctx.person.displayName);
        await hold.closed;
        return { replies: [ui.text('Waited.', { ephemeral: true })] };
      },
    });
    // One slot, so the second request waits in line behind the first.
    const runtime = await testRuntime({ env: { REQUEST_DEADLINE_MS: '3000', MAX_ACTIVE_REQUESTS: '1' }, extraFlows: [waitFlow] });
    const ana = talkAs(runtime.bot, 'web:deadline-ana', { displayName: 'Ana' });
    const ben = talkAs(runtime.bot, 'web:deadline-ben', { displayName: 'Ben' });
    await ana.say('/lc help');
    await runtime.db.person.updateMany({ where: { displayName: 'Ana' }, data: { locale: 'sq' } });

    const [first, second] = await Promise.all([ana.say('/lc wait'), ben.say('/lc wait')]);
    expect(textOf(first)).toBe(translator('sq')('errors.tooSlow'));
    expect(textOf(second)).toBe(translator('en')('errors.tooSlow'));
    hold.open();
    // Ben's request waited in line past its deadline: it is over, and its flow never ran.
    const until = Date.now() + 30_000;
    while (runtime.bot.admissionLoad().active > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.bot.admissionLoad()).toEqual({ active: 0, queued: 0 });
    expect(started).not.toContain('Ben');
  });
});
