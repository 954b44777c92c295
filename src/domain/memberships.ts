import type { Db } from '../core/db.js';
import { BotError, ErrorCode, roleVars } from '../core/errors.js';
import { statement } from '../core/sql.js';
import type { Role } from '../generated/prisma/enums.js';
import type { TimelineEntry } from './timeline.js';

/** A cluster as `/lc me` and home show it: its names, its zone and its whole timeline. */
export interface ClusterGlance {
  id: string;
  code: string;
  name: string;
  approach: string;
  timeZone: string;
  timeline: TimelineEntry[];
}

/** One cluster of the person's, with the roles they hold in it and the organisation they came with. */
export interface ActiveCluster {
  cluster: ClusterGlance;
  roles: Role[];
  organisation: { name: string } | null;
}

/**
 * `/lc me` and home read this on every request: one prepared statement (src/core/sql.ts). Through
 * Prisma's model API the memberships with their cluster, timeline, programme and organisation were
 * five queries, each through its query compiler (docs/performance.md). The organisation is the first
 * one named on the person's memberships in the cluster, in role order, as before.
 */
const activeClusterRows = statement<{ id: string; code: string; name: string; approach: string; timeZone: string; roles: Role[]; organisation: string | null; timeline: TimelineRow[] }>(
  'active-clusters',
  `SELECT c.id, c.code, c.name, c.approach, c."timeZone",
          array_agg(DISTINCT m.role::text) AS roles,
          (array_agg(o.name ORDER BY m.role) FILTER (WHERE o.id IS NOT NULL))[1] AS organisation,
          (SELECT coalesce(json_agg(json_build_object(
                    'id', i.id, 'type', i.type, 'title', i.title, 'roles', i.roles,
                    'startsAt', i."startsAt" AT TIME ZONE 'UTC', 'endsAt', i."endsAt" AT TIME ZONE 'UTC',
                    'location', i.location, 'reminders', i.reminders, 'position', i.position,
                    'removedAt', i."removedAt" AT TIME ZONE 'UTC', 'jointEventId', i."jointEventId")
                  ORDER BY i.position, i.id), '[]'::json)
             FROM "TimelineItem" i WHERE i."clusterId" = c.id) AS timeline
     FROM "Membership" m
     JOIN "Cluster" c ON c.id = m."clusterId"
     LEFT JOIN "Organisation" o ON o.id = m."organisationId"
    WHERE m."personId" = $1 AND m.status = 'ACTIVE' AND c."archivedAt" IS NULL
    GROUP BY c.id
    ORDER BY c.code`,
);

/** A timeline item as json_build_object gives it: timestamps as text. */
type TimelineRow = Omit<TimelineEntry, 'startsAt' | 'endsAt' | 'removedAt'> & { startsAt: string | null; endsAt: string | null; removedAt: string | null };

const dateOrNull = (text: string | null) => (text === null ? null : new Date(text));

/**
 * Active memberships grouped by cluster, roles in a fixed order and never repeated: one person may
 * hold several roles in one cluster (a resource person who also coordinates), and views show the
 * cluster once with all of them.
 */
export async function activeClusters(db: Db, personId: string): Promise<ActiveCluster[]> {
  const rows = await activeClusterRows.run(db, [personId]);
  return rows.map(({ roles, organisation, timeline, ...cluster }) => ({
    cluster: {
      ...cluster,
      timeline: timeline.map((item) => ({ ...item, startsAt: dateOrNull(item.startsAt), endsAt: dateOrNull(item.endsAt), removedAt: dateOrNull(item.removedAt) })),
    },
    roles: ROLE_ORDER.filter((r) => roles.includes(r)),
    organisation: organisation === null ? null : { name: organisation },
  }));
}

/** The order roles are named in: who runs the cluster first. */
export const ROLE_ORDER: Role[] = ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER', 'OBSERVER'];

/** Every role the person holds anywhere (for help). */
export async function rolesOf(db: Db, personId: string): Promise<Set<Role>> {
  const rows = await db.membership.findMany({ where: { personId, status: 'ACTIVE' }, select: { role: true } });
  return new Set(rows.map((r) => r.role));
}

/**
 * Authorisation lives here, in the domain, not in which buttons are shown: a command a person
 * may not use fails with NotAllowed whatever the platform sent.
 */
export async function requireRole(db: Db, personId: string, clusterId: string, roles: Role[]): Promise<Role> {
  const membership = await db.membership.findFirst({
    where: { personId, clusterId, status: 'ACTIVE', role: { in: roles } },
    select: { role: true },
  });
  if (!membership) throw new BotError(ErrorCode.NotAllowed, 'errors.notAllowed', { roles: roleVars(roles) });
  return membership.role;
}
