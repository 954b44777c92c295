import type { Db } from '../../core/db.js';

/** An answered question found by a search, as members may see it: no asker's name. */
export interface FoundAnswer {
  questionId: string;
  clusterId: string;
  clusterCode: string;
  question: string;
  answer: string;
  answeredAt: Date;
  /** How many of the search's words (stemmed) the question and its answer contain. */
  matched: number;
}

/**
 * Searches the answered questions published to the FAQ (the asker consented) of the given clusters
 * and of every cluster in the given programmes, with PostgreSQL full-text search over the generated
 * RoutedQuestion."searchVector" (question + answer, English stemming, GIN index).
 *
 * Across languages and scripts: the vector is built from the text folded by the database function
 * cb_search_fold (no diacritics, Cyrillic read as Latin; prisma/migrations/…_faq_search_folded), and
 * the search words pass through the same function, so `pomoc` finds "pomoć", `pergjigje` finds
 * "përgjigje", and Serbian typed in Latin finds the Cyrillic and the other way round.
 *
 * Any search word may match (an OR query), because a new question rarely repeats an old one word for
 * word; results are ordered by how many of the search's words they contain, then the asker's own cluster
 * (`preferClusterId`) before the programme's others, then by ts_rank; and a
 * result must contain at least two of them (or the only one, for a one-word search) so a single
 * common word does not drag in unrelated answers.
 */
export async function searchAnswered(
  db: Db,
  input: { words: string; clusterIds: string[]; programmeIds: string[]; preferClusterId?: string; limit?: number },
): Promise<FoundAnswer[]> {
  const words = input.words.trim().slice(0, 2_000);
  if (!words || (input.clusterIds.length === 0 && input.programmeIds.length === 0)) return [];
  const rows = await db.$queryRaw<(Omit<FoundAnswer, 'matched'> & { matched: bigint })[]>`
    WITH search AS (
      SELECT tsvector_to_array(to_tsvector('english', cb_search_fold(${words}))) AS lexemes,
             regexp_replace(plainto_tsquery('english', cb_search_fold(${words}))::text, '&|<[0-9]*->|<[0-9]+>', '|', 'g') AS query_text
    ), query AS (
      SELECT lexemes, query_text::tsquery AS q FROM search WHERE cardinality(lexemes) > 0 AND query_text <> ''
    )
    SELECT rq.id AS "questionId", rq."clusterId", c.code AS "clusterCode", rq.text AS question,
           rq."answerText" AS answer, rq."answeredAt",
           (SELECT count(*) FROM unnest(tsvector_to_array(rq."searchVector")) AS l WHERE l = ANY(query.lexemes)) AS matched
    FROM "RoutedQuestion" rq
    JOIN "Cluster" c ON c.id = rq."clusterId"
    CROSS JOIN query
    WHERE rq."inFaq" AND rq."answerText" IS NOT NULL AND rq."searchVector" @@ query.q
      AND (rq."clusterId" = ANY(${input.clusterIds}::text[]) OR c."programmeId" = ANY(${input.programmeIds}::text[]))
      AND (SELECT count(*) FROM unnest(tsvector_to_array(rq."searchVector")) AS l WHERE l = ANY(query.lexemes))
          >= LEAST(2, cardinality(query.lexemes))
    ORDER BY matched DESC, (rq."clusterId" = ${input.preferClusterId ?? ''}) DESC,
             ts_rank(rq."searchVector", query.q) DESC, rq."answeredAt" DESC
    LIMIT ${input.limit ?? 3}`;
  return rows.map((r) => ({ ...r, matched: Number(r.matched) }));
}
