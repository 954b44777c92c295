-- A timeline of any shape (issue 19). The seven fixed kinds become free items with a type, an optional title,
-- roles (what the item does in the method), reminders on or off, and dates that may be unset. Every existing
-- item keeps its id and dates and gets the type and roles of its kind, so clusters plan exactly the same nudges:
-- nudge ids anchored on a kind ("….EE2") are re-anchored on the item's id, and the three exchange events'
-- reminder kinds (ee1-week-before …) become the generic event reminders (event-week-before, event-day-before).

-- CreateEnum
CREATE TYPE "TimelineItemType" AS ENUM ('EXCHANGE_EVENT', 'ORIENTATION_MEETING', 'WEBINAR', 'COACHING_SESSION', 'FIELD_VISIT', 'OTHER_EVENT', 'PREPARATION', 'ECOURSE', 'CONCEPTUALISATION', 'APPLICATION', 'CONTINUATION', 'OTHER_PERIOD');

-- CreateEnum
CREATE TYPE "TimelineRole" AS ENUM ('TEMPLATE_INTRODUCED', 'CONCEPTS_DRAFTED', 'CONCEPTS_PRESENTED', 'APPLICATION', 'FIRST_EXPERIENCES', 'WAY_FORWARD');

-- TimelineItem: the new columns, filled from the kind.
ALTER TABLE "TimelineItem"
ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "jointEventId" TEXT,
ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reminders" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "removedAt" TIMESTAMP(3),
ADD COLUMN     "roles" "TimelineRole"[] NOT NULL DEFAULT '{}',
ADD COLUMN     "title" TEXT,
ADD COLUMN     "type" "TimelineItemType",
ALTER COLUMN "startsAt" DROP NOT NULL,
ALTER COLUMN "endsAt" DROP NOT NULL;

UPDATE "TimelineItem" SET
  "type" = (CASE WHEN kind::text LIKE 'EE_' THEN 'EXCHANGE_EVENT' ELSE kind::text END)::"TimelineItemType",
  "roles" = (CASE kind::text
    WHEN 'EE1' THEN ARRAY['TEMPLATE_INTRODUCED']
    WHEN 'CONCEPTUALISATION' THEN ARRAY['CONCEPTS_DRAFTED']
    WHEN 'EE2' THEN ARRAY['CONCEPTS_PRESENTED']
    WHEN 'APPLICATION' THEN ARRAY['APPLICATION']
    WHEN 'EE3' THEN ARRAY['FIRST_EXPERIENCES', 'WAY_FORWARD']
    ELSE ARRAY[]::text[] END)::"TimelineRole"[],
  "position" = array_position(ARRAY['PREPARATION', 'EE1', 'CONCEPTUALISATION', 'EE2', 'APPLICATION', 'EE3', 'CONTINUATION'], kind::text);

ALTER TABLE "TimelineItem" ALTER COLUMN "type" SET NOT NULL;

-- TimelineChange: the item an edit concerns, instead of its kind.
ALTER TABLE "TimelineChange"
ADD COLUMN     "action" TEXT NOT NULL DEFAULT 'changed',
ADD COLUMN     "editId" TEXT,
ADD COLUMN     "itemId" TEXT,
ALTER COLUMN "newValue" DROP NOT NULL;

UPDATE "TimelineChange" AS c SET "itemId" = i.id, "action" = CASE WHEN c."oldValue" IS NULL THEN 'added' ELSE 'changed' END
FROM "TimelineItem" AS i WHERE i."clusterId" = c."clusterId" AND i.kind = c.kind;

-- QuestionnaireRun: a run sent "at a phase" opens when that item begins.
ALTER TABLE "QuestionnaireRun" ADD COLUMN "phaseItemId" TEXT;

UPDATE "QuestionnaireRun" AS r SET "phaseItemId" = i.id
FROM "TimelineItem" AS i WHERE i."clusterId" = r."clusterId" AND i.kind = r.phase;

-- Nudges anchored on a kind are anchored on the item (NudgeDelivery follows through ON UPDATE CASCADE).
-- Their payload names the item as the new planner does, so sent and failed nudges still read the same.
UPDATE "PlannedNudge" AS n SET
  id = m.kind || '.' || n."clusterId" || '.' || n."personId" || '.' || m."itemId",
  kind = m.kind,
  payload = (n.payload - 'item') || jsonb_build_object('kind', m.kind, 'itemId', m."itemId", 'itemLabel', m.label, 'itemRoles', m.roles)
FROM (
  SELECT old.id AS "oldId", i.id AS "itemId", to_jsonb(i.roles) AS roles,
    CASE WHEN old.kind LIKE 'ee_-week-before' THEN 'event-week-before' WHEN old.kind LIKE 'ee_-day-before' THEN 'event-day-before' ELSE old.kind END AS kind,
    CASE WHEN i.kind::text LIKE 'EE_' THEN jsonb_build_object('type', 'EXCHANGE_EVENT', 'n', substr(i.kind::text, 3)::int) ELSE jsonb_build_object('type', i.kind::text) END AS label
  FROM "PlannedNudge" AS old
  JOIN "TimelineItem" AS i ON i."clusterId" = old."clusterId" AND i.kind::text = split_part(old.id, '.', 4)
  WHERE old.kind IN ('ee1-week-before', 'ee1-day-before', 'ee2-week-before', 'ee2-day-before', 'ee3-week-before', 'ee3-day-before',
                     'conceptualisation-start', 'conceptualisation-midway', 'plan-due-before-ee2', 'application-start')
) AS m
WHERE n.id = m."oldId";

-- The kinds are gone.
DROP INDEX "TimelineItem_clusterId_kind_key";
ALTER TABLE "TimelineItem" DROP COLUMN "kind";
ALTER TABLE "TimelineChange" DROP COLUMN "kind";
ALTER TABLE "QuestionnaireRun" DROP COLUMN "phase";
DROP TYPE "TimelineKind";

-- CreateTable
CREATE TABLE "JointEvent" (
    "id" TEXT NOT NULL,
    "programmeId" TEXT NOT NULL,
    "type" "TimelineItemType" NOT NULL,
    "title" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "location" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JointEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "JointEvent_programmeId_idx" ON "JointEvent"("programmeId");

-- CreateIndex
CREATE INDEX "TimelineItem_clusterId_idx" ON "TimelineItem"("clusterId");

-- CreateIndex
CREATE INDEX "TimelineItem_jointEventId_idx" ON "TimelineItem"("jointEventId");

-- CreateIndex
CREATE INDEX "TimelineChange_clusterId_changedAt_idx" ON "TimelineChange"("clusterId", "changedAt");

-- AddForeignKey
ALTER TABLE "TimelineItem" ADD CONSTRAINT "TimelineItem_jointEventId_fkey" FOREIGN KEY ("jointEventId") REFERENCES "JointEvent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JointEvent" ADD CONSTRAINT "JointEvent_programmeId_fkey" FOREIGN KEY ("programmeId") REFERENCES "Programme"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JointEvent" ADD CONSTRAINT "JointEvent_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TimelineChange" ADD CONSTRAINT "TimelineChange_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "TimelineItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuestionnaireRun" ADD CONSTRAINT "QuestionnaireRun_phaseItemId_fkey" FOREIGN KEY ("phaseItemId") REFERENCES "TimelineItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;
