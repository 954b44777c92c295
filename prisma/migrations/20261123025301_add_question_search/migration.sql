-- AlterTable
-- Hand-written because Prisma cannot express generated columns: the search vector follows the question and its
-- first answer. English stemming because English is the common language of every programme, and other words still
-- match exactly, since the english configuration keeps unknown words as they are (lower-cased).
ALTER TABLE "RoutedQuestion" ADD COLUMN     "answerText" TEXT,
ADD COLUMN     "dueAt" TIMESTAMP(3),
ADD COLUMN     "firstDueAt" TIMESTAMP(3),
ADD COLUMN     "followUpOfId" TEXT,
ADD COLUMN     "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce("text", '') || ' ' || coalesce("answerText", ''))) STORED,
ADD COLUMN     "step" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "RoutedQuestion_searchVector_idx" ON "RoutedQuestion" USING GIN ("searchVector");

-- CreateIndex
CREATE INDEX "QuestionAsk_personId_idx" ON "QuestionAsk"("personId");

-- AddForeignKey
ALTER TABLE "RoutedQuestion" ADD CONSTRAINT "RoutedQuestion_followUpOfId_fkey" FOREIGN KEY ("followUpOfId") REFERENCES "RoutedQuestion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

