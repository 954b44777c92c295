import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { actionId, anyJson, commandText, formValues } from '../support/fuzz.js';
import { tableCounts } from '../support/db-snapshot.js';

/** 300 in the everyday suite; `npm run test:slow` sets FUZZ_RUNS=10000. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

let runtime: Runtime;
let baseUrl: string;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
});

const identity = fc.constantFrom('lc1-coordinator', 'lc1-m1', 'lc2-rp1', 'lc3-m4', 'lc5-coordinator');
const payload = fc.oneof(
  fc.record({ identity, input: fc.record({ type: fc.constant('typed'), text: commandText }) }),
  fc.record({ identity, input: fc.record({ type: fc.constant('action'), actionId, value: commandText }) }),
  fc.record({ identity, input: fc.record({ type: fc.constant('form'), formId: actionId, values: formValues }) }),
  fc.record({ identity: fc.oneof(identity, fc.string({ maxLength: 100 })), input: anyJson }),
  anyJson,
);

async function post(body: string) {
  const res = await fetch(`${baseUrl}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, json: (await res.json()) as { messages?: { summary: string; blocks: unknown[] }[]; error?: string } };
}

describe('when the web chat receives random and malformed input', () => {
  it(`answers ${RUNS} payloads without a 500, always with a clear message, and rejected input changes nothing`, async () => {
    // Random text can also be a valid command that legitimately writes: "/lc plan" opens a draft plan, an
    // export makes a download, a well-formed unknown identity is a new guest, any flow saves its position.
    // An accepted message is kept in the person's web chat conversation (WebChatMessage) and a used
    // one-time button is remembered (ActionUse). Everything else must be exactly as before.
    const mayGrow = ['FlowState', 'ActionPlan', 'Download', 'Person', 'PlatformIdentity', 'WebChatMessage', 'ActionUse'];
    const before = await tableCounts(runtime.db, mayGrow);
    await fc.assert(
      fc.asyncProperty(payload, async (body) => {
        const { status, json } = await post(JSON.stringify(body));
        expect([200, 400]).toContain(status);
        if (status === 400) {
          expect(json.error).toMatch(/\w{3,}/);
        } else {
          expect(json.messages!.length).toBeGreaterThan(0);
          for (const message of json.messages!) expect(message.summary.trim().length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
    // Broken JSON is refused politely too.
    const broken = await fetch(`${baseUrl}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"identity":' });
    expect(broken.status).toBe(400);
    expect(await tableCounts(runtime.db, mayGrow)).toEqual(before);
  }, 60_000 + RUNS * 100); // npm run test:slow: 10,000 cases take minutes, not the default 30 s
});
