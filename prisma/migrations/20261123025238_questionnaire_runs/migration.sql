-- AlterTable
ALTER TABLE "QuestionnaireRun" ADD COLUMN     "answerKeySecret" TEXT,
ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "maxReminders" INTEGER NOT NULL DEFAULT 2;

-- AlterTable
ALTER TABLE "Response" ADD COLUMN     "respondentKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Response_runId_respondentKey_key" ON "Response"("runId", "respondentKey");

