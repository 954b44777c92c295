import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/core/db.js';
import { projectPath } from '../../src/core/paths.js';
import { GENERIC_DESIGN } from '../../src/domain/timeline.js';
import { stripMarkup } from '../../src/core/messages.js';
import { planCluster } from '../../src/scheduler/plan.js';
import { nudgeLine } from '../../src/scheduler/render.js';
import { simulateCluster } from '../../src/scheduler/simulate.js';
import { loadSnapshot } from '../../src/scheduler/snapshot.js';
import { adminUrl, databaseUrl, testDbPrefix } from '../support/test-env.js';

/**
 * Existing clusters migrate unchanged. The fixture (test/fixtures/legacy-timeline, written by the last
 * code with seven fixed kinds) is the demo programme as that code stored it, with progress, sent nudges,
 * a questionnaire sent "at EE3" and an audited edit, plus what that planner planned from it at two
 * moments and every message its simulation sent over the whole timeline. Here the database is built up to
 * the schema of that time, the data loaded, the migrations since applied, and today's planner must plan
 * and send exactly the same: same people, same times, same words.
 */

const fixture = projectPath('test/fixtures/legacy-timeline');
interface ExpectedSpec { id: string; kind: string; personId: string; dueAt: string; state: string; reason: string | null; text: string }
interface ExpectedCluster { id: string; planNow: ExpectedSpec[]; planLater: ExpectedSpec[]; simulation: { at: string; personId: string; kinds: string[]; summary: string }[] }
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { now: string; later: string; schemaAt: string; clusters: Record<string, ExpectedCluster> };

const name = `${testDbPrefix}_mig_${randomBytes(3).toString('hex')}`;
let db: Db;
/** Per cluster, the item id of each of the generic design's names, as the migration kept them. */
const itemIds = new Map<string, Map<string, string>>();

async function run(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const migrations = readdirSync(projectPath('prisma/migrations')).filter((m) => /^\d+_/.test(m)).sort();
  const at = migrations.indexOf(expected.schemaAt);
  expect(at).toBeGreaterThanOrEqual(0);
  for (const m of migrations.slice(0, at + 1)) await run(readFileSync(projectPath(`prisma/migrations/${m}/migration.sql`), 'utf8'));
  await run(readFileSync(join(fixture, 'data.sql'), 'utf8'));
  for (const m of migrations.slice(at + 1)) await run(readFileSync(projectPath(`prisma/migrations/${m}/migration.sql`), 'utf8'));
  db = createDb(databaseUrl(name));
  for (const item of await db.timelineItem.findMany()) {
    const byKey = itemIds.get(item.clusterId) ?? new Map<string, string>();
    byKey.set(GENERIC_DESIGN[item.position - 1].key, item.id);
    itemIds.set(item.clusterId, byKey);
  }
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

/** A nudge kind and id of the seven-kinds planner, in today's terms: event reminders are generic, anchors are items. */
function today(clusterId: string, kind: string, id?: string): { kind: string; id?: string } {
  const newKind = /^ee\d-week-before$/.test(kind) ? 'event-week-before' : /^ee\d-day-before$/.test(kind) ? 'event-day-before' : kind;
  if (!id) return { kind: newKind };
  const [, cluster, person, anchor] = id.split('.');
  const item = itemIds.get(clusterId)?.get(anchor);
  return { kind: newKind, id: item ? `${newKind}.${cluster}.${person}.${item}` : id };
}

describe('when the clusters of the seven fixed kinds are migrated to free timelines', () => {
  it('gives every item the type and roles of its kind, and keeps its id, dates and place', async () => {
    const lc1 = expected.clusters.LC1.id;
    const items = await db.timelineItem.findMany({ where: { clusterId: lc1 }, orderBy: { position: 'asc' } });
    expect(items.map((i) => [i.type, i.roles, i.title, i.reminders])).toEqual(GENERIC_DESIGN.map((g) => [g.type, g.roles, null, true]));
    expect(items.every((i) => i.startsAt && i.endsAt)).toBe(true);
    expect(items.filter((i) => i.type === 'EXCHANGE_EVENT').every((i) => i.location === 'Prishtina, AKM offices')).toBe(true);
  });

  it('points the questionnaire sent "at EE3" and the audited edit at their items', async () => {
    const run = await db.questionnaireRun.findFirstOrThrow({ where: { clusterId: expected.clusters.LC2.id } });
    expect(run.phaseItemId).toBe(itemIds.get(expected.clusters.LC2.id)!.get('EE3'));
    const change = await db.timelineChange.findFirstOrThrow({ where: { clusterId: expected.clusters.LC3.id } });
    expect([change.itemId, change.action]).toEqual([itemIds.get(expected.clusters.LC3.id)!.get('EE2'), 'changed']);
  });

  it('re-anchors sent nudges on their items, deliveries included, so none is planned again', async () => {
    const sent = await db.plannedNudge.findMany({ where: { status: 'SENT' }, include: { delivery: true } });
    expect(sent.length).toBe(20);
    for (const row of sent) {
      expect(row.delivery).not.toBeNull();
      expect(row.id.split('.')[3]).toMatch(/^c[a-z0-9]{20,}$/);
    }
  });

  for (const code of Object.keys(expected.clusters)) {
    it(`plans for ${code} the same nudges, for the same people, at the same times, in the same words`, async () => {
      const cluster = expected.clusters[code];
      const snapshot = (await loadSnapshot(db, cluster.id))!;
      const people = new Map(snapshot.people.map((p) => [p.personId, p]));
      for (const [now, want] of [[expected.now, cluster.planNow], [expected.later, cluster.planLater]] as const) {
        const got = planCluster(snapshot, { now: new Date(now) }).map((s) => ({ id: s.id, kind: s.kind, personId: s.personId, dueAt: s.dueAt.toISOString(), state: s.state, reason: s.reason ?? null, text: nudgeLine(s.payload, people.get(s.personId)!) }));
        const wanted = want.map((s) => ({ ...s, ...today(cluster.id, s.kind, s.id) }));
        const order = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
        expect(got.sort(order)).toEqual(wanted.sort(order));
      }
    });

    it(`sends the members of ${code} the same messages over the whole timeline`, async () => {
      const cluster = expected.clusters[code];
      const snapshot = (await loadSnapshot(db, cluster.id))!;
      // The summary is compared as the words people read: since the fixture was written, summaries keep the
      // message markup (the platforms render it) where the old code dropped ** and backticks.
      const got = simulateCluster(snapshot, { from: new Date(expected.now) }).messages.map((m) => ({ at: m.at.toISOString(), personId: m.personId, kinds: [...m.kinds].sort(), summary: stripMarkup(m.summary) }));
      const wanted = cluster.simulation.map((m) => ({ ...m, kinds: m.kinds.map((k) => today(cluster.id, k).kind).sort() }));
      expect(got).toEqual(wanted);
    });
  }
});
