import { describe, expect, it } from 'vitest';
import { createDb, poolOf } from '../../src/core/db.js';
import { statement } from '../../src/core/sql.js';
import { freshDatabase } from '../support/harness.js';

describe('when hot-path SQL runs as prepared statements on the pool under Prisma', () => {
  it('shares the pool Prisma uses, and reads a stored timestamp back as the same instant', async () => {
    const db = createDb(await freshDatabase(), { poolSize: 2 });
    try {
      const at = new Date('2026-03-29T00:30:00.000Z');
      const person = await db.person.create({ data: { displayName: 'Mira', snoozedUntil: at } });
      const read = statement<{ snoozedUntil: Date; name: string }>('test-person-snooze', `SELECT "snoozedUntil" AT TIME ZONE 'UTC' AS "snoozedUntil", "displayName" AS name FROM "Person" WHERE id = $1`);
      const [row] = await read.run(db, [person.id]);
      expect(row).toEqual({ snoozedUntil: at, name: 'Mira' });
      // Written through the statement, read through Prisma: the same instant.
      const write = statement('test-person-snooze-write', `UPDATE "Person" SET "snoozedUntil" = $2::timestamptz AT TIME ZONE 'UTC' WHERE id = $1`);
      const later = new Date('2026-10-25T01:15:00.000Z');
      await write.run(db, [person.id, later]);
      expect((await db.person.findUniqueOrThrow({ where: { id: person.id } })).snoozedUntil).toEqual(later);
      expect(poolOf(db).totalCount).toBeLessThanOrEqual(2);
    } finally {
      await db.$disconnect();
    }
  });

  it('refuses a statement name declared twice (pg keys prepared statements by name)', () => {
    statement('test-declared-once', 'SELECT 1');
    expect(() => statement('test-declared-once', 'SELECT 2')).toThrow(/declared twice/);
  });
});
