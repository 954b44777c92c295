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
    const slowFlow = holdingFlow(hold);
    const runtime = await testRuntime({ env: { MAX_ACTIVE_REQUESTS: '1', MAX_QUEUED_REQUESTS: '1', REQUEST_DEADLINE_MS: '120000' }, extraFlows: [slowFlow] });
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

describe('when one client floods the gate', () => {
  it('keeps the flood to its own share (active and queued) and gives the next free slot to someone else first', async () => {
    const gate = new AdmissionGate(3, 100, { maxActive: 2, maxQueued: 3 });
    const started: string[] = [];
    const flood = Array.from({ length: 10 }, latch);
    const floodRuns = flood.map((l, i) => gate.run(async () => (started.push(`a${i}`), await l.closed), 'flooder'));
    const refused = await Promise.allSettled(floodRuns.slice(5));
    // Two running, three waiting, the other five refused at once (they never ran).
    expect(refused.every((r) => r.status === 'rejected' && r.reason instanceof GateFullError)).toBe(true);
    expect(gate.loadOf('flooder')).toEqual({ active: 2, queued: 3 });
    expect(started).toEqual(['a0', 'a1']);

    // Someone else is not behind the flood: a free slot is theirs at once.
    const other = latch();
    const otherRun = gate.run(async () => (started.push('b'), await other.closed), 'other');
    await tick();
    expect(started).toEqual(['a0', 'a1', 'b']);

    // The gate is full now; a third person waits, and is served before the flooder's queue when a slot frees.
    const third = gate.run(async () => void started.push('c'), 'third');
    flood[0].open();
    await tick();
    // c took the freed slot; c ended at once, so its slot went on to the flooder's next request.
    expect(started.slice(3)).toEqual(['c', 'a2']);
    flood[1].open();
    await tick();
    expect(started.slice(3)).toEqual(['c', 'a2', 'a3']);
    for (const l of flood) l.open();
    other.open();
    await Promise.all([...floodRuns.slice(0, 5), otherRun, third]);
    expect(started.filter((s) => s.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(gate.load).toEqual({ active: 0, queued: 0 });
  });

  it('goes round the waiting clients one request each, in arrival order within each', async () => {
    const gate = new AdmissionGate(1, 100, { maxActive: 1, maxQueued: 10 });
    const started: string[] = [];
    const first = latch();
    const runs = [gate.run(async () => (started.push('x0'), await first.closed), 'x')];
    for (const [key, n] of [['x', 1], ['x', 2], ['x', 3], ['y', 0], ['y', 1], ['z', 0]] as const) runs.push(gate.run(async () => void started.push(`${key}${n}`), key));
    first.open();
    await Promise.all(runs);
    // x had its turn (x0), so y and z come first; then each in turn, x's requests in the order they came.
    expect(started).toEqual(['x0', 'y0', 'z0', 'x1', 'y1', 'x2', 'x3']);
  });
});

describe('a flood of requests from one web chat client', () => {
  it('is slowed and refused with "try again in a moment" while another person\'s /lc me is answered at once', async () => {
    const hold = latch();
    const slowFlow = holdingFlow(hold);
    const runtime = await testRuntime({ env: { WEB_CHAT: 'on', MAX_ACTIVE_REQUESTS: '4', MAX_QUEUED_REQUESTS: '1000', MAX_ACTIVE_PER_IDENTITY: '2', MAX_QUEUED_PER_IDENTITY: '10', REQUEST_DEADLINE_MS: '120000' }, extraFlows: [slowFlow] });
    const baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
    const send = async (identity: string, text: string) => {
      const res = await fetch(`${baseUrl}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity, input: { type: 'typed', text } }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { messages: { summary: string }[] }).messages.map((m) => m.summary).join('\n');
    };
    expect(await send('flood-other', '/lc help')).not.toMatch(/try again in a moment/);

    const answers: string[] = [];
    const flood = Array.from({ length: 200 }, () => send('flood-client', '/lc hold').then((text) => (answers.push(text), text)));
    // Every request beyond the client's share (2 running, 10 waiting) is answered at once, before any held one ends.
    const deadline = Date.now() + 60_000;
    while (answers.length < 188 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answers).toHaveLength(188);
    expect(answers.every((text) => /try again in a moment/.test(text))).toBe(true);
    expect(runtime.bot.admissionLoad({ platform: 'WEB', externalId: 'web:flood-client' })).toEqual({ active: 2, queued: 10 });

    // Meanwhile someone else is served: their /lc me is answered while all of the flood is still held.
    const me = await send('flood-other', '/lc me');
    expect(me).not.toMatch(/try again in a moment/);
    expect(me.length).toBeGreaterThan(0);
    expect(answers).toHaveLength(188);
    expect(runtime.bot.admissionLoad({ platform: 'WEB', externalId: 'web:flood-client' })).toEqual({ active: 2, queued: 10 });

    hold.open();
    const all = await Promise.all(flood);
    expect(all.filter((text) => text.includes('Held request done.'))).toHaveLength(12);
  }, 120_000);
});

/** A flow whose `/lc hold` runs until the latch opens: requests that stay in flight as long as the test wants. */
function holdingFlow(hold: { closed: Promise<unknown> }) {
  return defineFlow({
    name: 'hold',
    version: 1,
    schema: z.object({}),
    commands: [{ verb: 'hold', summaryKey: 'hold', audience: 'anyone' }],
    async start() {
      await hold.closed;
      return { replies: [ui.text('Held request done.', { ephemeral: true })] };
    },
  });
}
