-- Issue 15, item 7: anonymous answers stay unlinkable even with a full dump of the database.

-- 1. A participation says only whether the person answered, no longer when (a millisecond time lined up
--    with the order of the responses).
ALTER TABLE "RunParticipation" ADD COLUMN "answered" BOOLEAN NOT NULL DEFAULT false;
UPDATE "RunParticipation" SET "answered" = true WHERE "answeredAt" IS NOT NULL;
ALTER TABLE "RunParticipation" DROP COLUMN "answeredAt";

-- 2. Anonymous responses and answers written before: fresh random ids (older ones were time-ordered cuids),
--    no submission time, one constant updatedAt, no respondent key once the run is closed, and every row
--    written again in random order, so neither ids, times nor physical order follow submission order.
CREATE TEMP TABLE "anon_response_map" AS
  SELECT r."id" AS "oldId", gen_random_uuid()::text AS "newId"
  FROM "Response" r JOIN "QuestionnaireRun" q ON q."id" = r."runId"
  WHERE q."anonymous";
CREATE TEMP TABLE "anon_response" AS
  SELECT m."newId" AS "id", r."runId", CASE WHEN q."status" = 'CLOSED' THEN NULL ELSE r."respondentKey" END AS "respondentKey", q."opensAt" AS "updatedAt"
  FROM "Response" r JOIN "anon_response_map" m ON m."oldId" = r."id" JOIN "QuestionnaireRun" q ON q."id" = r."runId";
CREATE TEMP TABLE "anon_answer" AS
  SELECT gen_random_uuid()::text AS "id", m."newId" AS "responseId", a."questionId", a."value"
  FROM "Answer" a JOIN "anon_response_map" m ON m."oldId" = a."responseId";
CREATE TEMP TABLE "anon_participation" AS
  SELECT p.* FROM "RunParticipation" p JOIN "QuestionnaireRun" q ON q."id" = p."runId" WHERE q."anonymous";

DELETE FROM "Response" WHERE "id" IN (SELECT "oldId" FROM "anon_response_map");
DELETE FROM "RunParticipation" p USING "QuestionnaireRun" q WHERE q."id" = p."runId" AND q."anonymous";

INSERT INTO "Response" ("id", "runId", "respondentId", "respondentKey", "submittedAt", "updatedAt")
  SELECT "id", "runId", NULL, "respondentKey", NULL, "updatedAt" FROM "anon_response" ORDER BY random();
INSERT INTO "Answer" ("id", "responseId", "questionId", "value")
  SELECT "id", "responseId", "questionId", "value" FROM "anon_answer" ORDER BY random();
INSERT INTO "RunParticipation" ("runId", "personId", "answered", "remindersSent")
  SELECT "runId", "personId", "answered", "remindersSent" FROM "anon_participation" ORDER BY random();

DROP TABLE "anon_response_map", "anon_response", "anon_answer", "anon_participation";
