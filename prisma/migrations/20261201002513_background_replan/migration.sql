-- CreateTable
CREATE TABLE "ReplanRequest" (
    "clusterId" TEXT NOT NULL,
    "generation" BIGSERIAL NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,

    CONSTRAINT "ReplanRequest_pkey" PRIMARY KEY ("clusterId")
);

-- CreateIndex
CREATE INDEX "FeedbackRound_clusterId_idx" ON "FeedbackRound"("clusterId");

-- CreateIndex
CREATE INDEX "QuestionnaireRun_clusterId_idx" ON "QuestionnaireRun"("clusterId");

-- CreateIndex
CREATE INDEX "PlannedNudge_clusterId_status_idx" ON "PlannedNudge"("clusterId", "status");

-- AddForeignKey
ALTER TABLE "ReplanRequest" ADD CONSTRAINT "ReplanRequest_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

