-- When telling the person a question was put to them was settled (null until the reconciler has told them)
ALTER TABLE "QuestionAsk" ADD COLUMN "notifiedAt" TIMESTAMP(3);

-- Questions put to people before this column existed were delivered (or given up) at the time
UPDATE "QuestionAsk" SET "notifiedAt" = "askedAt";
