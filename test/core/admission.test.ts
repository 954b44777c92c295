import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AdmissionGate, GateFullError } from '../../src/core/admission.js';
import { defineFlow } from '../../src/core/flow.js';
import { ui } from '../../src/core/messages.js';
import { tableDigests } from '../support/db-snapshot.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/** A promise the test resolves by hand, so work stays "in flight" exactly as long as the test wants. */
function latch() {
  let open: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the admission gate', () => {
  it('runs at most maxActive pieces of work at once and starts waiting ones in arrival order', async () => {
    const gate = new AdmissionGate(2, 10);
    const latches = Array.from({ length: 5 }, latch);
    const started: number[] = [];
    const runs = latches.map((l, i) => gate.run(async () => (started.push(i), await l.closed, i)));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.load).toEqual({ active: 2, queued: 3 });
    latches[1].open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    latches[0].open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const l of latches) l.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(gate.load).toEqual({ active: 0, queued: 0 });
  });

  it('refuses work beyond the queue without running it', async () => {
    const gate = new AdmissionGate(1, 1);
    const hold = latch();
    let ran = 0;
    const first = gate.run(async () => (ran++, await hold.closed));
    const second = gate.run(async () => void ran++);
    await expect(gate.run(async () => void ran++)).rejects.toBeInstanceOf(GateFullError);
    hold.open();
    await Promise.all([first, second]);
    expect(ran).toBe(2);
  });

  it('frees the slot when the work fails', async () => {
    const gate = new AdmissionGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.load).toEqual({ active: 0, queued: 0 });
  });
});

describe('a bot instance at its work limit', () => {
  it('answers "try again in a moment" at once, changes nothing, and serves the person again once work drains', async () => {
    const hold = latch();
    const slowFlow = defineFlow({
      name: 'hold',
      version: 1,
      schema: z.object({}),
      commands: [{ verb: 'hold', summaryKey: 'hold', audience: 'anyone' }],
      async start() {
        await hold.closed;
        return { replies: [ui.text('Held request done.', { ephemeral: true })] };
      },
    });
    const runtime = await testRuntime({ env: { MAX_ACTIVE_REQUESTS: '1', MAX_QUEUED_REQUESTS: '1' }, extraFlows: [slowFlow] });
    const ana = talkAs(runtime.bot, 'web:gate-ana');
    const ben = talkAs(runtime.bot, 'web:gate-ben');
    const cleo = talkAs(runtime.bot, 'web:gate-cleo');
    expect(textOf(await cleo.say('/lc help'))).toContain('/lc');

    const running = ana.say('/lc hold');
    await tick();
    const waiting = ben.say('/lc help');
    await tick();
    const before = await tableDigests(runtime.db);
    const refused = await cleo.say('/lc me');
    expect(textOf(refused)).toMatch(/try again in a moment/);
    expect(await tableDigests(runtime.db)).toEqual(before);

    hold.open();
    expect(textOf(await running)).toContain('Held request done.');
    expect(textOf(await waiting)).toContain('/lc');
    expect(textOf(await cleo.say('/lc me'))).not.toMatch(/try again in a moment/);
  });
});
