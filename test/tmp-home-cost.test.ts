import { expect, it } from 'vitest';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { seedDemo } from '../src/domain/demo-seed.js';
import { testRuntime } from './support/harness.js';
import { countQueries, queriesSoFar } from '../bench/query-counter.js';
countQueries();

it('measures home, me and help in process', async () => {
  const runtime = await testRuntime({});
  await seedDemo(runtime.db, new Date());
  const member = await runtime.db.membership.findFirstOrThrow({ where: { status: 'ACTIVE' }, include: { person: { include: { identities: true } } } });
  const identity = member.person.identities[0] ?? (await runtime.db.platformIdentity.create({ data: { personId: member.personId, platform: 'SLACK', externalId: 'T1:UHOMECOST' } }));
  const envelope = (verb: string) => ({ identity: { platform: identity.platform, externalId: identity.externalId }, event: { type: 'command' as const, verb, args: '', text: `/lc ${verb}` }, origin: { direct: true } });
  const out: Record<string, number> = {};
  for (const verb of ['help', 'me', 'home']) {
    for (let i = 0; i < 20; i++) await runtime.bot.handle(envelope(verb));
    const n = 100;
    const session = new Session();
    session.connect();
    if (verb === process.env.PROF_VERB) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
    const q0 = queriesSoFar();
    await runtime.bot.handle(envelope(verb));
    console.log(verb, 'statements', queriesSoFar() - q0);
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await runtime.bot.handle(envelope(verb));
    const used = process.cpuUsage(start);
    out[verb] = (used.user + used.system) / n / 1000;
    if (verb === process.env.PROF_VERB) { const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/home.cpuprofile', JSON.stringify(profile)); }
  }
  console.log('CPU per request in process (ms)', JSON.stringify(out), 'roles', member.role);
  expect(out.home).toBeGreaterThan(0);
}, 120_000);
