-- Issue 19, item 3: the documented good practice of an approach, shared by the clusters of a programme
-- with the same approach, and every saved version of it.

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "goodPracticeId" TEXT;

-- CreateTable
CREATE TABLE "GoodPractice" (
    "id" TEXT NOT NULL,
    "programmeId" TEXT NOT NULL,
    "approach" TEXT NOT NULL,
    "approachKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GoodPractice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GoodPracticeVersion" (
    "id" TEXT NOT NULL,
    "practiceId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "content" JSONB NOT NULL,
    "section" TEXT NOT NULL,
    "note" TEXT,
    "authorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GoodPracticeVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GoodPractice_programmeId_approachKey_key" ON "GoodPractice"("programmeId", "approachKey");

-- CreateIndex
CREATE UNIQUE INDEX "GoodPracticeVersion_practiceId_number_key" ON "GoodPracticeVersion"("practiceId", "number");

-- AddForeignKey
ALTER TABLE "Cluster" ADD CONSTRAINT "Cluster_goodPracticeId_fkey" FOREIGN KEY ("goodPracticeId") REFERENCES "GoodPractice"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GoodPractice" ADD CONSTRAINT "GoodPractice_programmeId_fkey" FOREIGN KEY ("programmeId") REFERENCES "Programme"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GoodPracticeVersion" ADD CONSTRAINT "GoodPracticeVersion_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "GoodPractice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GoodPracticeVersion" ADD CONSTRAINT "GoodPracticeVersion_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- A saved version is history: its text, number, section and note never change. Only the author link may
-- (merging two accounts of one person moves it, erasing a person empties it).
-- Prisma's pg adapter runs a migration split at every semicolon, so the function body writes each
-- semicolon as the octal escape \073 of an E'' string: the statement itself holds none.
CREATE OR REPLACE FUNCTION cb_good_practice_version_frozen() RETURNS trigger
LANGUAGE plpgsql AS E'
BEGIN
  IF NEW."practiceId" IS DISTINCT FROM OLD."practiceId" OR NEW."number" IS DISTINCT FROM OLD."number"
     OR NEW."content" IS DISTINCT FROM OLD."content" OR NEW."section" IS DISTINCT FROM OLD."section"
     OR NEW."note" IS DISTINCT FROM OLD."note" OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" THEN
    RAISE EXCEPTION ''a good practice version is never changed, save a new one''\073
  END IF\073
  RETURN NEW\073
END
';

CREATE TRIGGER "GoodPracticeVersion_frozen" BEFORE UPDATE ON "GoodPracticeVersion"
FOR EACH ROW EXECUTE FUNCTION cb_good_practice_version_frozen();
