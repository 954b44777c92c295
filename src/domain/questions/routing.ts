import type { Db } from '../../core/db.js';
import type { Role } from '../../generated/prisma/enums.js';

/** A person a question could go to, with why: how many of their topics match and how many open questions they hold. */
export interface RoutingCandidate {
  personId: string;
  displayName: string;
  score: number;
  openQuestions: number;
}

/**
 * Everyone of `role` in the cluster who could take the question, best first.
 *
 * Scoring, kept simple so people can predict it: a person scores one point for each of their
 * Membership.topics whose words all occur in the question (PostgreSQL full-text matching with English
 * stemming, so "premise" matches "premises"). Highest score first; ties go to whoever holds the fewest
 * open questions (across all clusters), then to the longest-standing membership. People already asked
 * about this question, and the asker, are never candidates: nobody is asked twice.
 */
export async function rankCandidates(
  db: Db,
  input: { clusterId: string; role: Role; text: string; questionId?: string; excludePersonIds?: string[] },
): Promise<RoutingCandidate[]> {
  const exclude = input.excludePersonIds ?? [];
  const rows = await db.$queryRaw<{ personId: string; displayName: string; score: bigint; open: bigint }[]>`
    SELECT m."personId", p."displayName",
      (SELECT count(*) FROM unnest(m.topics) AS topic
         WHERE numnode(plainto_tsquery('english', topic)) > 0
           AND to_tsvector('english', ${input.text}) @@ plainto_tsquery('english', topic)) AS score,
      (SELECT count(*) FROM "QuestionAsk" a JOIN "RoutedQuestion" q ON q.id = a."questionId"
         WHERE a."personId" = m."personId" AND a."passedAt" IS NULL
           AND q.status IN ('OPEN', 'ESCALATED_TO_COORDINATOR')) AS open
    FROM "Membership" m JOIN "Person" p ON p.id = m."personId"
    WHERE m."clusterId" = ${input.clusterId} AND m.role = ${input.role}::"Role" AND m.status = 'ACTIVE'
      AND p."erasedAt" IS NULL
      AND NOT (m."personId" = ANY(${exclude}::text[]))
      AND NOT EXISTS (SELECT 1 FROM "QuestionAsk" x WHERE x."questionId" = ${input.questionId ?? ''} AND x."personId" = m."personId")
    ORDER BY score DESC, open ASC, m."createdAt" ASC, m."personId" ASC`;
  return rows.map((r) => ({ personId: r.personId, displayName: r.displayName, score: Number(r.score), openQuestions: Number(r.open) }));
}

/**
 * Who a question goes to next: the best resource person not yet asked, and when every resource
 * person has been asked, a coordinator of the cluster (fewest open questions first). Null when
 * everyone has been asked.
 */
export async function nextAssignee(
  db: Db,
  input: { clusterId: string; text: string; questionId?: string; askerId?: string | null },
): Promise<(RoutingCandidate & { role: 'RESOURCE_PERSON' | 'COORDINATOR' }) | null> {
  const exclude = input.askerId ? [input.askerId] : [];
  for (const role of ['RESOURCE_PERSON', 'COORDINATOR'] as const) {
    const [best] = await rankCandidates(db, { ...input, role, excludePersonIds: exclude });
    if (best) return { ...best, role };
  }
  return null;
}
