-- The way forward after a cluster's last exchange event (issue 19, item 4): the decision (continue,
-- transform, or a new cluster), the follow-on cluster's link to the one it follows, and each member's
-- answer to whether they join it.
-- CreateEnum
CREATE TYPE "WayForwardChoice" AS ENUM ('CONTINUE', 'TRANSFORM', 'NEW_CLUSTER');

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "followsId" TEXT;

-- CreateTable
CREATE TABLE "WayForward" (
    "clusterId" TEXT NOT NULL,
    "choice" "WayForwardChoice" NOT NULL,
    "note" TEXT,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WayForward_pkey" PRIMARY KEY ("clusterId")
);

-- CreateTable
CREATE TABLE "FollowOnAnswer" (
    "clusterId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "joins" BOOLEAN,
    "askedAt" TIMESTAMP(3) NOT NULL,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "FollowOnAnswer_pkey" PRIMARY KEY ("clusterId","personId")
);

-- CreateIndex
CREATE INDEX "FollowOnAnswer_personId_idx" ON "FollowOnAnswer"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_followsId_key" ON "Cluster"("followsId");

-- AddForeignKey
ALTER TABLE "Cluster" ADD CONSTRAINT "Cluster_followsId_fkey" FOREIGN KEY ("followsId") REFERENCES "Cluster"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WayForward" ADD CONSTRAINT "WayForward_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WayForward" ADD CONSTRAINT "WayForward_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FollowOnAnswer" ADD CONSTRAINT "FollowOnAnswer_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "WayForward"("clusterId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FollowOnAnswer" ADD CONSTRAINT "FollowOnAnswer_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

