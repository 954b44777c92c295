import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { tableDigests } from '../support/db-snapshot.js';
import { testRuntime } from '../support/harness.js';
import { talkAs, textOf } from '../support/transcript.js';

/**
 * Every command the bot has (taken from runtime.bot.commands, so a new command is covered the day it
 * is added) × every role × their own cluster and another one. A command whose audience leaves a role
 * out must be refused with a readable sentence and change nothing in any table (content digests,
 * FlowState excepted); no command may end in the bot's internal-error message for anyone.
 * The cluster area's own matrix (test/flows/clusters/authorisation.test.ts) adds forged buttons and forms.
 */
type Role = 'COORDINATOR' | 'MEMBER' | 'RESOURCE_PERSON' | 'OBSERVER';
const people: { who: string; identity: string; role: Role | null }[] = [
  { who: 'LC1 coordinator', identity: 'web:lc1-coordinator', role: 'COORDINATOR' },
  { who: 'LC1 member', identity: 'web:lc1-m1', role: 'MEMBER' },
  { who: 'LC1 resource person', identity: 'web:lc1-rp1', role: 'RESOURCE_PERSON' },
  { who: 'LC1 observer', identity: 'web:lc1-observer', role: 'OBSERVER' },
  { who: 'someone in no cluster', identity: 'web:matrix-stranger', role: null },
];
const clusters = ['LC1', 'LC2'];

let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const observer = await runtime.db.person.create({ data: { displayName: 'Olga Observer', identities: { create: { platform: 'WEB', externalId: 'web:lc1-observer' } } } });
  await runtime.db.membership.create({ data: { personId: observer.id, clusterId: lc1.id, role: 'OBSERVER' } });
  await talkAs(runtime.bot, 'web:matrix-stranger').say('/lc help');
});

const INTERNAL_ERROR = /something went wrong on my side/i;

describe('when every role runs every command of the bot, on their own cluster and on another', () => {
  it('knows the full command list from the bot itself', () => {
    expect(runtime.bot.commands.length).toBeGreaterThan(15);
  });

  it('refuses, politely and with nothing changed, every command whose audience leaves the role out; nobody sees an internal error', async () => {
    const refusedButChanged: string[] = [];
    const internalErrors: string[] = [];
    const silent: string[] = [];
    let refusals = 0;
    for (const spec of runtime.bot.commands) {
      for (const person of people) {
        const allowed = spec.audience === 'anyone' || (person.role !== null && spec.audience.includes(person.role));
        for (const cluster of clusters) {
          const label = `${person.who}: /lc ${spec.verb} ${cluster}`;
          const before = allowed ? undefined : await tableDigests(runtime.db, ['FlowState']);
          const replies = await talkAs(runtime.bot, person.identity).say(`/lc ${spec.verb} ${cluster}`);
          const text = textOf(replies);
          if (INTERNAL_ERROR.test(text)) internalErrors.push(label);
          if (text.trim().length < 10) silent.push(label);
          if (!allowed) {
            refusals++;
            const after = await tableDigests(runtime.db, ['FlowState']);
            const changed = Object.keys(after).filter((t) => after[t] !== before![t]);
            if (changed.length) refusedButChanged.push(`${label} changed ${changed.join(', ')}`);
          }
        }
      }
    }
    expect(internalErrors).toEqual([]);
    expect(silent).toEqual([]);
    expect(refusedButChanged).toEqual([]);
    expect(refusals).toBeGreaterThan(0);
  }, 300_000);
});
