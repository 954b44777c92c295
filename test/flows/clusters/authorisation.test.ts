import { beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { talkAs, textOf } from '../../support/transcript.js';
import { datedGenericItem, genericItem } from '../../support/timeline.js';

let runtime: Runtime;
let lc1: string;
let memberMembership: string;
let lc1Change: string;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  lc1 = (await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } })).id;
  const observer = await runtime.db.person.create({ data: { displayName: 'Olga Observer', identities: { create: { platform: 'WEB', externalId: 'web:lc1-observer' } } } });
  await runtime.db.membership.create({ data: { personId: observer.id, clusterId: lc1, role: 'OBSERVER' } });
  // The role menu is tried on m8, so the member acting in the matrix (m1) keeps their role.
  const m8 = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m8' } });
  memberMembership = (await runtime.db.membership.findFirstOrThrow({ where: { personId: m8.personId, clusterId: lc1 } })).id;
  await talkAs(runtime.bot, 'web:stranger').say('/lc help');
  // A recorded change of LC1's EE2 whose old value is two days earlier, for the Undo button.
  const ee2 = await datedGenericItem(runtime.db, lc1, 'EE2');
  const earlier = (date: Date) => new Date(date.getTime() - 2 * 24 * 3600 * 1000).toISOString();
  const value = { type: ee2.type, title: ee2.title, roles: ee2.roles, startsAt: ee2.startsAt.toISOString(), endsAt: ee2.endsAt.toISOString(), location: ee2.location, reminders: true, removed: false };
  lc1Change = (await runtime.db.timelineChange.create({ data: { clusterId: lc1, itemId: ee2.id, editId: 'edit-lc1-ee2', oldValue: { ...value, startsAt: earlier(ee2.startsAt), endsAt: earlier(ee2.endsAt) }, newValue: value } })).editId!;
});

type Who = 'coordinator' | 'otherCoordinator' | 'member' | 'resourcePerson' | 'observer' | 'nobody';
const identities: Record<Who, string> = {
  coordinator: 'web:lc1-coordinator',
  otherCoordinator: 'web:lc2-coordinator',
  member: 'web:lc1-m1',
  resourcePerson: 'web:lc1-rp1',
  observer: 'web:lc1-observer',
  nobody: 'web:stranger',
};

/** Every command of this area (typed, or a forged button/form that skips what the menus show), acting on LC1. */
const commands: { name: string; run: (who: ReturnType<typeof talkAs>) => Promise<OutboundMessage[]>; allowed: Who[] }[] = [
  { name: '/lc create', run: (p) => p.say('/lc create'), allowed: ['coordinator', 'otherCoordinator'] },
  { name: 'create form submitted', run: (p) => p.submit({ formId: 'create:cluster' }, { name: 'Sneaky', approach: 'A', hosts: 'H', hostCountry: 'XK', timeZone: 'UTC', language: 'en', capacity: '3' }), allowed: ['coordinator', 'otherCoordinator'] },
  { name: '/lc timeline LC1', run: (p) => p.say('/lc timeline LC1'), allowed: ['coordinator', 'member', 'resourcePerson', 'observer'] },
  { name: 'timeline edit menu', run: (p) => p.press({ actionId: 'timeline:edit', value: `${lc1}|EE2` }), allowed: ['coordinator'] },
  { name: 'timeline undo button', run: (p) => p.press({ actionId: 'timeline:undo', value: lc1Change }), allowed: ['coordinator'] },
  { name: '/lc invite LC1 <email>', run: (p) => p.say('/lc invite LC1 newbie@example.org as observer'), allowed: ['coordinator'] },
  { name: '/lc members LC1', run: (p) => p.say('/lc members LC1'), allowed: ['coordinator'] },
  { name: 'members role menu', run: (p) => p.press({ actionId: 'members:role', value: `${memberMembership}|OBSERVER` }), allowed: ['coordinator'] },
  { name: 'members person menu', run: (p) => p.press({ actionId: 'members:pick', value: memberMembership }), allowed: ['coordinator'] },
  { name: 'members approve all', run: (p) => p.press({ actionId: 'members:approve-all', value: lc1 }), allowed: ['coordinator'] },
  { name: '/lc assign', run: (p) => p.say('/lc assign'), allowed: ['coordinator', 'otherCoordinator'] },
  { name: '/lc status LC1', run: (p) => p.say('/lc status LC1'), allowed: ['coordinator', 'observer'] },
  { name: '/lc join', run: (p) => p.say('/lc join'), allowed: ['coordinator', 'otherCoordinator', 'member', 'resourcePerson', 'observer', 'nobody'] },
  { name: '/lc profile', run: (p) => p.say('/lc profile'), allowed: ['coordinator', 'otherCoordinator', 'member', 'resourcePerson', 'observer', 'nobody'] },
  { name: '/lc leave', run: (p) => p.say('/lc leave'), allowed: ['coordinator', 'otherCoordinator', 'member', 'resourcePerson', 'observer', 'nobody'] },
  { name: '/lc my-data', run: (p) => p.say('/lc my-data'), allowed: ['coordinator', 'otherCoordinator', 'member', 'resourcePerson', 'observer', 'nobody'] },
  { name: '/lc forget-me (asks first)', run: (p) => p.say('/lc forget-me'), allowed: ['coordinator', 'otherCoordinator', 'member', 'resourcePerson', 'observer', 'nobody'] },
];

/** What a refused command must leave untouched: everything this area writes. */
async function snapshot() {
  const db = runtime.db;
  return JSON.stringify(
    await Promise.all([
      db.cluster.findMany({ orderBy: { id: 'asc' } }),
      db.timelineItem.findMany({ orderBy: { id: 'asc' } }),
      db.timelineChange.findMany({ orderBy: { id: 'asc' } }),
      db.membership.findMany({ orderBy: { id: 'asc' } }),
      db.registration.findMany({ orderBy: { id: 'asc' } }),
      db.person.count(),
      db.organisation.count(),
    ]),
  );
}

const whos = Object.keys(identities) as Who[];
describe('when every role tries every cluster set-up command on LC1', () => {
  for (const command of commands) {
    for (const who of whos) {
      const allowed = command.allowed.includes(who);
      it(`${allowed ? 'lets' : 'politely refuses'} ${who} (${command.name})${allowed ? '' : ', changing nothing'}`, async () => {
        const before = await snapshot();
        const text = textOf(await command.run(talkAs(runtime.bot, identities[who])));
        if (allowed) {
          expect(text).not.toMatch(/^Sorry/m);
          expect(text).not.toMatch(/went wrong/);
        } else {
          expect(text).toMatch(/^Sorry, .*Nothing was changed/m);
          expect(await snapshot()).toBe(before);
        }
      });
    }
  }
});

describe('when a coordinator of one cluster acts on another cluster', () => {
  it('refuses a timeline edit submitted for LC1 by the LC2 coordinator, even with a saved position', async () => {
    const lc2coordinator = talkAs(runtime.bot, 'web:lc2-coordinator');
    const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
    // A real edit of their own cluster first, so a conversation position exists…
    const lc2ee2 = await genericItem(runtime.db, lc2.id, 'EE2');
    await lc2coordinator.press({ actionId: 'timeline:edit', value: `${lc2.id}|${lc2ee2.id}` });
    // …then the position is tampered to point at LC1.
    const lc1ee2 = await genericItem(runtime.db, lc1, 'EE2');
    await runtime.db.flowState.updateMany({ where: { flow: 'timeline', person: { identities: { some: { externalId: 'web:lc2-coordinator' } } } }, data: { data: { clusterId: lc1, itemId: lc1ee2.id, type: 'EXCHANGE_EVENT' } } });
    const before = await snapshot();
    const text = textOf(await lc2coordinator.submit({ formId: 'timeline:item' }, { startDate: '2026-12-01', startTime: '10:00', endDate: '2026-12-02', endTime: '16:00' }));
    expect(text).toMatch(/^Sorry, .*Nothing was changed/m);
    expect(await snapshot()).toBe(before);
  });

  it('refuses /lc members LC1 and /lc status LC1 naming the cluster', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc2-coordinator').say('/lc members LC1'));
    expect(text).toContain('you cannot do that in LC1');
  });
});
