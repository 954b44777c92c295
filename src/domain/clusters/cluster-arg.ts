import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Role } from '../../generated/prisma/enums.js';

/** A cluster a command can act on, as the picker shows it. */
export interface ClusterChoice {
  id: string;
  code: string;
  name: string;
}

/** Either the one cluster meant, or the choices to ask about. */
export type ClusterArg = { kind: 'one'; cluster: ClusterChoice } | { kind: 'ask'; choices: ClusterChoice[] };

/**
 * Resolves the `[cluster]` argument of a command: a code such as "LC1" (or a cluster id from a picker
 * button), else the caller's only cluster in which they hold one of `roles`, else a list to pick from.
 * A code of a cluster the caller holds no such role in is refused here, so flows need no extra check.
 */
export async function resolveClusterArg(db: Db, personId: string, arg: string, roles: Role[]): Promise<ClusterArg> {
  const rows = await db.membership.findMany({
    where: { personId, status: 'ACTIVE', role: { in: roles }, cluster: { archivedAt: null } },
    select: { cluster: { select: { id: true, code: true, name: true } } },
    orderBy: { cluster: { code: 'asc' } },
  });
  const mine = [...new Map(rows.map((r) => [r.cluster.id, r.cluster])).values()];
  const wanted = arg.trim().split(/\s+/)[0] ?? '';
  if (wanted) {
    const hit = mine.find((c) => c.id === wanted || c.code.toLowerCase() === wanted.toLowerCase());
    if (hit) return { kind: 'one', cluster: hit };
    const exists = await db.cluster.findFirst({ where: { OR: [{ id: wanted }, { code: { equals: wanted, mode: 'insensitive' } }] }, select: { code: true } });
    if (exists) throw new BotError(ErrorCode.NotAllowed, 'clusters:errors.notYourCluster', { code: exists.code });
    throw new BotError(ErrorCode.NotFound, 'clusters:errors.noSuchCluster', { code: wanted.slice(0, 40) });
  }
  if (mine.length === 1) return { kind: 'one', cluster: mine[0] };
  if (mine.length === 0) throw new BotError(ErrorCode.NotAllowed, 'clusters:errors.noClusterForRole');
  return { kind: 'ask', choices: mine };
}
